"""The contract between mlp and this platform, as mlp defines it (src/contract/): the schemas of the
run plan and of the events, and the lists both sides need (metrics, split strategies, statuses,
interrupt signals, …).

They are read from the JSON files beside this module, which ``scripts/contract.ts`` generates and mlp
copies with it into every project: nothing here spells a list out, so the two sides cannot drift.
Standard library only: the trainer reads the plan before it applies its sandbox.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mlp_platform.json_schema import Schema, check_schema

_DIR = Path(__file__).parent


def _load(name: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads((_DIR / name).read_text(encoding="utf-8"))
    return value


def _schema(name: str) -> Schema:
    schema = _load(name)
    check_schema(schema, name)
    return schema


PLAN_SCHEMA = _schema("plan.schema.json")
"""The schema of ``plan.json``; the rules tying two fields together are ``plan.load_plan``'s."""
PLAN_VERSION: int = PLAN_SCHEMA["properties"]["plan_version"]["const"]

EVENT_SCHEMAS: dict[str, Schema] = {
    branch["properties"]["event"]["const"]: branch for branch in _schema("events.schema.json")["oneOf"]
}
"""The schema of each event, by its name (the ``event`` field)."""

DATA_SUMMARY_SCHEMA = _schema("data_summary.schema.json")
"""The schema of a data summary (``data_summary``: mlp data describe, mlp/data_summary.json)."""

_LISTS = _load("lists.json")


def _strings(name: str) -> tuple[str, ...]:
    return tuple(str(item) for item in _LISTS[name])


METRICS = _strings("metrics")
"""Metrics the supervisor computes from out-of-fold predictions (``metrics`` has a scorer for each)."""
SPLIT_STRATEGIES = _strings("split_strategies")
"""The split strategies the trainer implements (``splits`` has a function of each name)."""
RUN_STATUSES = _strings("run_statuses")
"""The states the supervisor ends a run in."""
END_STATUSES = _strings("end_statuses")
"""The states ``run_admin`` ends an abandoned run in."""
INTERRUPT_SIGNALS = _strings("interrupt_signals")
"""The signals by which a user stops a run, by name (``signal.Signals``)."""
SEALED_TAGS = _strings("sealed_tags")
"""The run tags a seal covers (``seal``)."""
SEAL_TAG = _strings("seal_tag")[0]
"""The tag that holds a run's seal."""
SEAL_ARTIFACT = _strings("seal_artifact")[0]
"""The artifact that holds the sealed record's canonical JSON."""
CARD_PARAM_PREFIX = _strings("card_param_prefix")[0]
"""The prefix of the model card's params, which ``mlp promote`` logs after the seal (``seal`` leaves them out)."""
OUTCOME_TAG, OUTCOME_METHOD_TAG, BASELINE_TAG = _strings("outcome_tags")
"""The sealed tags of a run's outcome (docs/outcome.md): computed outcome, method, baseline run."""
PROMOTED_TAG, PROMOTION_TIMESTAMP_TAG, PROMOTED_BY_TAG = _strings("promotion_tags")
"""The tags of a promotion (``mlp promote``): promoted (``"true"``), when, by whom."""
INTENDED_USE_PARAM, APPROVER_PARAM, APPROVAL_TIME_PARAM = _strings("card_params")
"""The card's write-once params a promotion logs: intended use, approver, approval time."""

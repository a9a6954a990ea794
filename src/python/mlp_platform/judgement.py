"""The outcome of one run against the baseline of its plan (docs/outcome.md): chooses the method,
reads the baseline's out-of-fold predictions when the method needs them, and returns what the
supervisor logs (before it seals the run) and reports to mlp.

The statistics are ``outcome``'s; this module decides which applies:

- no baseline: ``first``, method ``none``, no delta;
- k-fold with the baseline's folds (same data, seed, number of folds) and its per-fold scores:
  ``paired_t_folds``;
- otherwise, with the baseline's out-of-fold predictions (the temporal split; k-fold with other
  folds, where every row was still scored once by both runs): ``paired_bootstrap`` over the rows
  both runs scored, matched by row id;
- a baseline recorded before mlp logged per-fold results: method ``none``, the delta only,
  ``neutral``, and a note saying so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy
import pyarrow.parquet

from mlp_platform.contract import BASELINE_TAG, OUTCOME_METHOD_TAG, OUTCOME_TAG
from mlp_platform.outcome import (
    BOOTSTRAP_RESAMPLES,
    Comparison,
    classify,
    paired_bootstrap,
    paired_t_folds,
)
from mlp_platform.plan import BaselinePlan, ComparisonPlan
from mlp_platform.seal import hash_file


@dataclass(frozen=True)
class Scored:
    """What the current run scored: the pooled value, the per-fold values and the rows."""

    value: float
    fold_scores: list[float]
    row_id: numpy.ndarray
    label: numpy.ndarray
    score: numpy.ndarray
    threshold: float


@dataclass
class Judgement:
    """What to log about the outcome (tags, metrics, params) and the report for mlp."""

    tags: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)


def judge(comparison: ComparisonPlan, current: Scored, split_strategy: str) -> Judgement:
    """The outcome of ``current`` against ``comparison``'s baseline."""
    baseline = comparison.baseline
    params = {"outcome.min_effect": repr(comparison.min_effect), "outcome.confidence": repr(comparison.confidence)}
    elsewhere = comparison.better_elsewhere
    if elsewhere is not None:
        params["outcome.better_elsewhere"] = f"{elsewhere['run_id']} {elsewhere['value']!r} {elsewhere['dataset_hash']}"
    if baseline is None:
        return _judgement("first", None, None, comparison, current, params, "no prior comparable run")
    sign = 1.0 if comparison.direction == "higher" else -1.0
    delta = sign * (current.value - baseline.value)
    tested, note = _test(comparison, baseline, current, split_strategy)
    threshold = (comparison.min_effect, comparison.confidence)
    outcome = "neutral" if tested is None else classify(delta, tested.p_value, *threshold)
    if tested is not None and tested.method == "paired_bootstrap":
        params["outcome.resamples"] = str(BOOTSTRAP_RESAMPLES)
    return _judgement(outcome, tested, delta, comparison, current, params, note)


def _test(
    comparison: ComparisonPlan, baseline: BaselinePlan, current: Scored, split_strategy: str
) -> tuple[Comparison | None, str]:
    folds = baseline.fold_scores
    kfold = split_strategy == "stratified_kfold"
    if kfold and baseline.same_folds and folds and len(folds) == len(current.fold_scores):
        result = paired_t_folds(current.fold_scores, folds, comparison.direction, comparison.confidence)
        return result, f"the same {len(folds)} folds: paired t-test over the per-fold scores"
    why = (
        "temporal split"
        if split_strategy == "temporal_split"
        else f"other folds ({'; '.join(baseline.folds_differ) or 'no per-fold scores'})"
    )
    if baseline.oof_path is None or baseline.oof_sha256 is None:
        return None, (
            f"{why}, and the baseline has no out-of-fold predictions (recorded before mlp logged "
            "them): only the delta is given"
        )
    if hash_file(baseline.oof_path) != baseline.oof_sha256:
        raise ValueError(f'"{baseline.oof_path}" is not the baseline\'s sealed mlp/oof_predictions.parquet')
    table = pyarrow.parquet.read_table(baseline.oof_path, columns=["row_id", "label", "score"])
    base_rows = table.column("row_id").to_numpy()
    shared, mine, theirs = numpy.intersect1d(current.row_id, base_rows, assume_unique=True, return_indices=True)
    labels = current.label[mine]
    if len(shared) == 0 or not numpy.array_equal(labels, table.column("label").to_numpy()[theirs].astype(int)):
        return None, f"{why}, and the baseline scored no row with the same label: only the delta is given"
    result = paired_bootstrap(
        labels,
        current.score[mine],
        table.column("score").to_numpy()[theirs].astype(float),
        comparison.metric,
        current.threshold,
        comparison.direction,
        comparison.confidence,
    )
    return result, f"{why}: paired bootstrap over the {len(shared)} rows both runs scored"


def _judgement(
    outcome: str,
    tested: Comparison | None,
    delta: float | None,
    comparison: ComparisonPlan,
    current: Scored,
    params: dict[str, str],
    note: str,
) -> Judgement:
    baseline = comparison.baseline
    method = tested.method if tested is not None else "none"
    tags = {OUTCOME_TAG: outcome, OUTCOME_METHOD_TAG: method}
    metrics: dict[str, float] = {}
    if baseline is not None:
        tags[BASELINE_TAG] = baseline.run_id
        metrics["outcome.baseline_value"] = baseline.value
    if delta is not None:
        metrics["metric_delta"] = delta
    if tested is not None:
        metrics.update(
            {
                "outcome.std_error": tested.std_error,
                "outcome.p_value": tested.p_value,
                "outcome.ci_low": tested.ci_low,
                "outcome.ci_high": tested.ci_high,
            }
        )
    params = {**params, "outcome.note": note}
    report = {
        "outcome": outcome,
        "method": method,
        "metric": comparison.metric,
        "value": _number(current.value),
        "baseline_run_id": None if baseline is None else baseline.run_id,
        "delta": _number(delta),
        "std_error": _number(tested.std_error if tested else None),
        "p_value": _number(tested.p_value if tested else None),
        "ci_low": _number(tested.ci_low if tested else None),
        "ci_high": _number(tested.ci_high if tested else None),
        "note": note,
        "better_elsewhere": comparison.better_elsewhere,
    }
    return Judgement(tags, metrics, params, report)


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else float(value)

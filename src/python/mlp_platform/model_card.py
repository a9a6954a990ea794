"""``python -m mlp_platform.model_card``: the model card of a run (``mlp card``, docs/model-card.md),
read from the store through the official MLflow client, so that a SQLite file and a tracking
server give the same card, and nothing of the project's work tree enters it.

mlp resolves the run ID, walks the chain of baselines and checks each run's seal (the check of
``mlp verify-run``); this reads the records and writes the card (``card_render``).

Input (stdin, JSON): ``{"format": "md"|"html", "output": FILE, "image": PNG-FILE|null,
"image_ref": TEXT|null, "chain": [{"run_id": …, "seal": [problem, …], "missing": bool}, …]}``:
the card's run first, then its baseline, and so on. With ``image``, the run's ROC plot is written
there too and the Markdown card links it as ``image_ref``. ``MLFLOW_TRACKING_URI`` names the
store; the working directory is the project root (where a SQLite store's relative artifact
locations resolve). Output: the files; nothing on stdout. Exit code 0, 1 when the store cannot be
read or the card cannot be written (the reason on stderr), 2 for malformed input.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlp_platform.card_render import (
    DATA_SUMMARY_ARTIFACT,
    OOF_ARTIFACT,
    ROC_ARTIFACT,
    Record,
    render_html,
    render_markdown,
    roc_points,
)
from mlp_platform.lifecycle import tolerant_stderr

FOLD_PREFIX = "fold."
"""Per-fold values are the history of ``fold.<metric>``, one step per fold (``metrics.fold_metrics``)."""


def _time(millis: int | None) -> str | None:
    if millis is None:
        return None
    return datetime.fromtimestamp(millis / 1000, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _artifact_paths(client: Any, run_id: str, path: str | None = None) -> list[str]:
    paths: list[str] = []
    for item in client.list_artifacts(run_id, path):
        paths.extend(_artifact_paths(client, run_id, item.path) if item.is_dir else [item.path])
    return paths


def _download(client: Any, run_id: str, path: str, present: list[str], into: Path) -> bytes | None:
    """The artifact's bytes, or None when the run has none at ``path``."""
    if path not in present:
        return None
    local = client.download_artifacts(run_id, path, str(into))
    return Path(local).read_bytes()


def _curve(oof: bytes, into: Path) -> list[tuple[float, float, float]]:
    import pyarrow.parquet
    from sklearn.metrics import roc_curve

    file = into / "oof.parquet"
    file.write_bytes(oof)
    table = pyarrow.parquet.read_table(file, columns=["label", "score"])
    fpr, tpr, thresholds = roc_curve(table.column("label").to_numpy(), table.column("score").to_numpy())
    return roc_points(list(fpr), list(tpr), list(thresholds))


def _step(client: Any, entry: dict[str, Any]) -> Record:
    """One run of the chain: its params, tags, latest metrics and seal verdict."""
    if entry.get("missing"):
        return {"run_id": entry["run_id"], "missing": True}
    run = client.get_run(entry["run_id"])
    return {
        "run_id": run.info.run_id,
        "run_name": run.info.run_name,
        "params": dict(run.data.params),
        "tags": dict(run.data.tags),
        "metrics": dict(run.data.metrics),
        "seal": list(entry["seal"]),
    }


def collect(client: Any, chain: list[dict[str, Any]], image_ref: str | None) -> Record:
    """The record the card is rendered from (see ``card_render``), read through ``client``."""
    run_id = chain[0]["run_id"]
    run = client.get_run(run_id)
    experiment = client.get_experiment(run.info.experiment_id)
    metrics = dict(run.data.metrics)
    folds = {}
    for key in sorted(metrics):
        if key.startswith(FOLD_PREFIX):
            history = sorted(client.get_metric_history(run_id, key), key=lambda m: (m.step, m.timestamp))
            # One value per fold: the LoggedModel's link logs each point again (mlflow_fields).
            by_fold = {m.step: m.value for m in history}
            folds[key.removeprefix(FOLD_PREFIX)] = [by_fold[step] for step in sorted(by_fold)]
    present = _artifact_paths(client, run_id)
    with tempfile.TemporaryDirectory(prefix="mlp-card-") as scratch:
        into = Path(scratch)
        summary = _download(client, run_id, DATA_SUMMARY_ARTIFACT, present, into)
        png = _download(client, run_id, ROC_ARTIFACT, present, into)
        oof = _download(client, run_id, OOF_ARTIFACT, present, into)
        points = _curve(oof, into) if oof is not None else None
    return {
        "run": {
            "run_id": run_id,
            "run_name": run.info.run_name,
            "experiment": experiment.name,
            "status": run.info.status,
            "lifecycle_stage": run.info.lifecycle_stage,
            "start_time": _time(run.info.start_time),
            "end_time": _time(run.info.end_time),
        },
        "params": dict(run.data.params),
        "tags": dict(run.data.tags),
        "metrics": metrics,
        "folds": folds,
        "seal": list(chain[0]["seal"]),
        "data_summary": json.loads(summary) if summary is not None else None,
        "roc": {"points": points, "png": png, "image": image_ref if png is not None else None},
        "artifacts": present,
        "chain": [_step(client, entry) for entry in chain],
    }


def _request(text: str) -> dict[str, Any]:
    value: Any = json.loads(text)
    chain = value.get("chain") if isinstance(value, dict) else None
    if (
        not isinstance(value, dict)
        or value.get("format") not in ("md", "html")
        or not isinstance(value.get("output"), str)
        or not isinstance(chain, list)
        or not chain
        or not all(isinstance(e, dict) and isinstance(e.get("run_id"), str) for e in chain)
        or chain[0].get("missing")
    ):
        raise ValueError(
            'expected {"format": "md"|"html", "output": str, "image": str|null, "image_ref": str|null, '
            '"chain": [{"run_id": str, "seal": [str], "missing": bool}, …]}'
        )
    return value


def main(argv: list[str]) -> int:
    """Writes the card the request on stdin asks for; returns the exit code."""
    tolerant_stderr()
    uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    if argv or not uri:
        print("usage: MLFLOW_TRACKING_URI=… python -m mlp_platform.model_card < request.json", file=sys.stderr)
        return 2
    try:
        request = _request(sys.stdin.read())
    except ValueError as error:
        print(f"model_card: {error}", file=sys.stderr)
        return 2
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    image = request.get("image")
    try:
        record = collect(MlflowClient(tracking_uri=uri), request["chain"], request.get("image_ref") if image else None)
    except (MlflowException, OSError) as error:
        print(f"model_card: cannot read the run from the store: {error}", file=sys.stderr)
        return 1
    text = render_html(record) if request["format"] == "html" else render_markdown(record)
    try:
        Path(request["output"]).write_text(text, encoding="utf-8")
        if image and record["roc"]["png"] is not None:
            Path(image).write_bytes(record["roc"]["png"])
    except OSError as error:
        print(f"model_card: cannot write the card: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

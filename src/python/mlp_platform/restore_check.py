"""``python -m mlp_platform.restore_check SNAPSHOT MANIFEST``: the restore test of every backup.

mlp (src/backup/) restores a backup into a scratch directory and starts this there, with
``MLFLOW_TRACKING_URI`` naming the restored store and the scratch directory as the working
directory (where the runs' relative artifact locations, ``mlartifacts/…``, resolve). It reads the
restored store through the official MLflow client, as every user of the restore will, and compares
each run with the backup's snapshot read directly with SQLite (no MLflow code): status, params,
tags, every metric's latest value and whole history, and every artifact, downloaded through MLflow
and hashed, against the backup's manifest. A difference means the restore would not give back the
store as it was at the snapshot.

Output (the event channel): one ``restore_checked`` event with the number of runs and artifacts
compared, one line per difference, and the runs whose artifacts lie outside the project (a store
written before mlp kept artifacts in ``mlartifacts/``), which no project backup can hold.
Exit code 0 when the event was sent (differences or not), 2 for wrong arguments; the process
ends at once when mlp, at the other end of stdin, is gone.
"""

from __future__ import annotations

import hashlib
import math
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from mlp_platform.events import claim_stdout, emit
from mlp_platform.lifecycle import exit_when_stdin_closes, tolerant_stderr

Point = tuple[int, int, float]
"""A metric value as (step, timestamp, value), NaN as math.nan."""


def _value(value: Any, is_nan: Any) -> float:
    return math.nan if is_nan else float(value)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def read_snapshot(path: Path) -> dict[str, dict[str, Any]]:
    """Every run of the SQLite store at `path`, read with SQL alone (immutable, read-only)."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        runs: dict[str, dict[str, Any]] = {}
        for run_id, status, uri in db.execute("SELECT run_uuid, status, artifact_uri FROM runs"):
            runs[run_id] = {"status": status, "artifact_uri": uri or "", "params": {}, "tags": {}, "history": {}}
        for run_id, key, value in db.execute("SELECT run_uuid, key, value FROM params"):
            runs[run_id]["params"][key] = value
        for run_id, key, value in db.execute("SELECT run_uuid, key, value FROM tags"):
            runs[run_id]["tags"][key] = value
        for run_id, key, value, is_nan, step, ts in db.execute(
            "SELECT run_uuid, key, value, is_nan, step, timestamp FROM metrics"
        ):
            runs[run_id]["history"].setdefault(key, []).append((int(step), int(ts), _value(value, is_nan)))
        for run in runs.values():
            for points in run["history"].values():
                points.sort(key=lambda p: (p[0], p[1], p[2] if not math.isnan(p[2]) else math.inf))
        return runs
    finally:
        db.close()


def read_manifest(path: Path) -> dict[str, str]:
    """The backup's manifest, path → SHA-256 (mlp checked its format before starting this)."""
    entries: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        sha256, _, name = line.partition("  ")
        entries[name] = sha256
    return entries


def _restored_history(client: Any, run_id: str, keys: set[str]) -> dict[str, list[Point]]:
    history: dict[str, list[Point]] = {}
    for key in keys:
        points = [(int(m.step), int(m.timestamp), float(m.value)) for m in client.get_metric_history(run_id, key)]
        history[key] = sorted(points, key=lambda p: (p[0], p[1], p[2] if not math.isnan(p[2]) else math.inf))
    return history


def _artifacts(client: Any, run_id: str) -> dict[str, str]:
    """Every artifact file of the run, downloaded through MLflow, path → SHA-256."""
    import mlflow.artifacts

    found: dict[str, str] = {}
    pending: list[str | None] = [None]
    while pending:
        path = pending.pop()
        for info in client.list_artifacts(run_id, path):
            if info.is_dir:
                pending.append(info.path)
                continue
            with tempfile.TemporaryDirectory() as tmp:
                local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=info.path, dst_path=tmp)
                found[info.path] = hashlib.sha256(Path(local).read_bytes()).hexdigest()
    return found


def compare(snapshot: dict[str, dict[str, Any]], manifest: dict[str, str], client: Any) -> dict[str, Any]:
    """Compares every run of the snapshot with the restored store; returns the event's fields."""
    from mlflow.entities import ViewType

    differences: list[str] = []
    outside: list[str] = []
    artifacts = 0
    restored_ids: set[str] = set()
    for experiment in client.search_experiments(view_type=ViewType.ALL):
        for run in client.search_runs([experiment.experiment_id], run_view_type=ViewType.ALL, max_results=50000):
            restored_ids.add(run.info.run_id)
    for run_id in sorted(restored_ids - snapshot.keys()):
        differences.append(f"run {run_id} is in the restored store but not in the snapshot")
    for run_id, expected in sorted(snapshot.items()):
        if run_id not in restored_ids:
            differences.append(f"run {run_id} is missing from the restored store")
            continue
        run = client.get_run(run_id)
        if run.info.status != expected["status"]:
            differences.append(f'run {run_id}: status "{run.info.status}", the snapshot has "{expected["status"]}"')
        for kind, found in (("param", dict(run.data.params)), ("tag", dict(run.data.tags))):
            want: dict[str, str] = expected[f"{kind}s"]
            for key in sorted(want.keys() | found.keys()):
                if want.get(key) != found.get(key):
                    differences.append(
                        f'run {run_id}: {kind} "{key}" is {found.get(key)!r}, the snapshot has {want.get(key)!r}'
                    )
        history = _restored_history(client, run_id, set(expected["history"]) | set(run.data.metrics))
        for key in sorted(history.keys() | expected["history"].keys()):
            a, b = history.get(key, []), expected["history"].get(key, [])
            if len(a) != len(b) or any(p[:2] != q[:2] or not _same(p[2], q[2]) for p, q in zip(a, b, strict=False)):
                differences.append(
                    f'run {run_id}: metric "{key}" has {len(a)} values restored, {len(b)} in the snapshot'
                )
        uri: str = expected["artifact_uri"]
        if uri.startswith("/") or ":" in uri.split("/", 1)[0]:
            outside.append(run_id)
            continue
        prefix = f"{uri.rstrip('/')}/"
        want_files = {path[len(prefix) :]: sha for path, sha in manifest.items() if path.startswith(prefix)}
        found_files = _artifacts(client, run_id)
        artifacts += len(found_files)
        for path in sorted(want_files.keys() | found_files.keys()):
            if path not in found_files:
                differences.append(f'run {run_id}: artifact "{path}" is in the backup but MLflow does not list it')
            elif path not in want_files:
                differences.append(f'run {run_id}: artifact "{path}" is listed by MLflow but not in the backup')
            elif found_files[path] != want_files[path]:
                differences.append(f'run {run_id}: artifact "{path}" restored with SHA-256 {found_files[path]}')
    return {"runs": len(snapshot), "artifacts": artifacts, "differences": differences, "outside": outside}


def main(argv: list[str]) -> int:
    """Runs the check; see the module doc."""
    claim_stdout()
    tolerant_stderr()
    exit_when_stdin_closes()
    if len(argv) != 2:
        print("usage: python -m mlp_platform.restore_check SNAPSHOT MANIFEST", file=sys.stderr)
        return 2
    from mlflow.tracking import MlflowClient

    result = compare(read_snapshot(Path(argv[0])), read_manifest(Path(argv[1])), MlflowClient())
    emit("restore_checked", **result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

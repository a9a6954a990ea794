"""``python -m mlp_platform.restore_check SNAPSHOT MANIFEST``: the restore test of every backup.

mlp (src/backup/) restores a backup into a scratch directory and starts this there, with
``MLFLOW_TRACKING_URI`` naming the restored store and the scratch directory as the working
directory (where the runs' relative artifact locations, ``mlartifacts/…``, resolve). It reads the
restored store through the official MLflow client, as every user of the restore will, and compares
each run with the backup's snapshot read directly with SQLite (no MLflow code): status, params,
tags, every metric's latest value and whole history, and every artifact, downloaded through MLflow
and hashed, against the backup's manifest. A difference means the restore would not give back the
store as it was at the snapshot.

``python -m mlp_platform.restore_check --postgres DATA MANIFEST`` is the same test of a backup of a
tracking server on PostgreSQL: ``MLFLOW_TRACKING_URI`` names the scratch database the dump was
restored into, DATA is the dump's table data as ``pg_restore --data-only`` prints it (the snapshot,
read without a database), and the server's artifact root is restored into ``artifacts/`` of the
working directory, where each run's ``mlflow-artifacts:/…`` location is read with MLflow's own
artifact repository, as the server reads it to serve a download.

Output (the event channel): one ``restore_checked`` event with the number of runs and artifacts
compared, one line per difference, and the runs whose artifacts lie outside the backup (a store
written before mlp kept artifacts in ``mlartifacts/``, or a server run stored elsewhere than its
artifact root), which the backup cannot hold.
Exit code 0 when the event was sent (differences or not), 2 for wrong arguments; the process
ends at once when mlp, at the other end of stdin, is gone.
"""

from __future__ import annotations

import hashlib
import math
import re
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mlp_platform.events import claim_stdout, emit
from mlp_platform.lifecycle import exit_when_stdin_closes, tolerant_stderr

Point = tuple[int, int, float]
"""A metric value as (step, timestamp, value), NaN as math.nan."""

ArtifactReader = Callable[[Any, str, str], "tuple[str, dict[str, str]] | None"]
"""(client, run ID, the snapshot's artifact URI) → the run's prefix in the manifest and its files
as MLflow gives them back, path → SHA-256; None when the artifacts lie outside the backup."""

PROXIED = "mlflow-artifacts:/"
"""The artifact URI scheme of a tracking server that serves its artifact root (the default)."""

PG_ARTIFACTS = "artifacts"
"""Where a PostgreSQL backup holds the server's artifact root (src/backup/layout.ts)."""


def _value(value: Any, is_nan: Any) -> float:
    return math.nan if is_nan else float(value)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


Tables = dict[str, list[dict[str, Any]]]
"""The rows of the tables the test reads (runs, params, tags, metrics), by column name."""

COLUMNS = {
    "runs": ("run_uuid", "status", "artifact_uri"),
    "params": ("run_uuid", "key", "value"),
    "tags": ("run_uuid", "key", "value"),
    "metrics": ("run_uuid", "key", "value", "is_nan", "step", "timestamp"),
}


def _runs(tables: Tables) -> dict[str, dict[str, Any]]:
    """Every run of a store's tables, with its params, tags and sorted metric histories."""
    runs: dict[str, dict[str, Any]] = {}
    for row in tables["runs"]:
        runs[row["run_uuid"]] = {
            "status": row["status"],
            "artifact_uri": row["artifact_uri"] or "",
            "params": {},
            "tags": {},
            "history": {},
        }
    for kind in ("params", "tags"):
        for row in tables[kind]:
            runs[row["run_uuid"]][kind][row["key"]] = row["value"]
    for row in tables["metrics"]:
        point = (int(row["step"]), int(row["timestamp"]), _value(row["value"], row["is_nan"]))
        runs[row["run_uuid"]]["history"].setdefault(row["key"], []).append(point)
    for run in runs.values():
        for points in run["history"].values():
            points.sort(key=lambda p: (p[0], p[1], p[2] if not math.isnan(p[2]) else math.inf))
    return runs


def read_snapshot(path: Path) -> dict[str, dict[str, Any]]:
    """Every run of the SQLite store at `path`, read with SQL alone (immutable, read-only)."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        tables: Tables = {}
        for table, columns in COLUMNS.items():
            rows = db.execute(f"SELECT {', '.join(columns)} FROM {table}")
            tables[table] = [dict(zip(columns, row, strict=True)) for row in rows]
        return _runs(tables)
    finally:
        db.close()


_COPY_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _copy_field(text: str) -> str | None:
    """One field of PostgreSQL's COPY text format: `\\N` is NULL, backslash escapes decoded."""
    if text == "\\N":
        return None
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "\\" or i + 1 == len(text):
            out.append(char)
            i += 1
            continue
        nxt = text[i + 1]
        octal = re.match(r"[0-7]{1,3}", text[i + 1 :])
        hexa = re.match(r"x([0-9a-fA-F]{1,2})", text[i + 1 :])
        if nxt in _COPY_ESCAPES:
            out.append(_COPY_ESCAPES[nxt])
            i += 2
        elif octal:
            out.append(chr(int(octal.group(0), 8)))
            i += 1 + len(octal.group(0))
        elif hexa:
            out.append(chr(int(hexa.group(1), 16)))
            i += 1 + len(hexa.group(0))
        else:
            out.append(nxt)
            i += 2
    return "".join(out)


def _copy_blocks(text: str) -> Iterator[tuple[str, list[str], list[list[str | None]]]]:
    """(table, columns, rows) of every ``COPY … FROM stdin;`` block of a pg_restore script."""
    lines = iter(text.split("\n"))
    for line in lines:
        header = re.match(r'^COPY (?:"?\w+"?\.)?"?(\w+)"? \((.*)\) FROM stdin;$', line)
        if not header:
            continue
        columns = [c.strip().strip('"') for c in header.group(2).split(",")]
        rows: list[list[str | None]] = []
        for row in lines:
            if row == "\\.":
                break
            rows.append([_copy_field(field) for field in row.split("\t")])
        yield header.group(1), columns, rows


def read_pg_snapshot(text: str) -> dict[str, dict[str, Any]]:
    """Every run of a PostgreSQL dump, read from its data as ``pg_restore --data-only`` prints it."""
    tables: Tables = {table: [] for table in COLUMNS}
    for table, columns, rows in _copy_blocks(text):
        if table in COLUMNS:
            tables[table] = [dict(zip(columns, row, strict=True)) for row in rows]
    for row in tables["metrics"]:
        # COPY prints booleans as t/f; SQLite keeps 0/1.
        row["is_nan"] = row["is_nan"] in ("t", "true", "1")
    return _runs(tables)


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


def _hashed_downloads(listing: Callable[[str | None], Any], download: Callable[[str, str], str]) -> dict[str, str]:
    """Every file under an artifact listing, downloaded and hashed, path → SHA-256."""
    found: dict[str, str] = {}
    pending: list[str | None] = [None]
    while pending:
        path = pending.pop()
        for info in listing(path):
            if info.is_dir:
                pending.append(info.path)
                continue
            with tempfile.TemporaryDirectory() as tmp:
                local = download(info.path, tmp)
                found[info.path] = hashlib.sha256(Path(local).read_bytes()).hexdigest()
    return found


def project_artifacts(client: Any, run_id: str, uri: str) -> tuple[str, dict[str, str]] | None:
    """A project store's artifacts: relative to the project, downloaded through the MLflow client."""
    import mlflow.artifacts

    if uri.startswith("/") or ":" in uri.split("/", 1)[0]:
        return None
    return f"{uri.rstrip('/')}/", _hashed_downloads(
        lambda path: client.list_artifacts(run_id, path),
        lambda path, dst: mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=path, dst_path=dst),
    )


def server_artifacts(client: Any, run_id: str, uri: str) -> tuple[str, dict[str, str]] | None:
    """A tracking server's artifacts (``mlflow-artifacts:/…``), read from the restored artifact root
    in ``artifacts/`` with MLflow's local artifact repository, the one the server serves them with."""
    from mlflow.store.artifact.local_artifact_repo import LocalArtifactRepository

    if not uri.startswith(PROXIED):
        return None
    relative = uri[len(PROXIED) :].strip("/")
    repo: Any = LocalArtifactRepository(str(Path.cwd() / PG_ARTIFACTS / relative))
    return f"{PG_ARTIFACTS}/{relative}/", _hashed_downloads(
        repo.list_artifacts,
        lambda path, dst: repo.download_artifacts(path, dst_path=dst),
    )


def compare(
    snapshot: dict[str, dict[str, Any]],
    manifest: dict[str, str],
    client: Any,
    artifacts_of: ArtifactReader = project_artifacts,
) -> dict[str, Any]:
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
        located = artifacts_of(client, run_id, expected["artifact_uri"])
        if located is None:
            outside.append(run_id)
            continue
        prefix, found_files = located
        want_files = {path[len(prefix) :]: sha for path, sha in manifest.items() if path.startswith(prefix)}
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
    postgres = argv[:1] == ["--postgres"]
    args = argv[1:] if postgres else argv
    if len(args) != 2:
        print("usage: python -m mlp_platform.restore_check [--postgres] SNAPSHOT MANIFEST", file=sys.stderr)
        return 2
    from mlflow.tracking import MlflowClient

    if postgres:
        snapshot = read_pg_snapshot(Path(args[0]).read_text(encoding="utf-8"))
        result = compare(snapshot, read_manifest(Path(args[1])), MlflowClient(), server_artifacts)
    else:
        result = compare(read_snapshot(Path(args[0])), read_manifest(Path(args[1])), MlflowClient())
    emit("restore_checked", **result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

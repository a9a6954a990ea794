"""The restore test's comparison (mlp_platform.restore_check) finds what a restore got wrong.

A real SQLite store written with the MLflow client stands for the backup's snapshot; its copy,
read through the MLflow client, stands for the restored store. An intact copy has no difference;
an edited param, a dropped metric value, a changed artifact and an artifact missing from the
manifest are each named with their run.
"""

from __future__ import annotations

import hashlib
import math
import shutil
import sqlite3
from pathlib import Path

import mlflow
import pytest
from mlflow.tracking import MlflowClient

from mlp_platform.restore_check import compare, read_manifest, read_pg_snapshot, read_snapshot, server_artifacts


def _store(root: Path) -> tuple[str, dict[str, str]]:
    """A store with one run (a param, a metric history, an artifact) whose artifacts lie in
    mlartifacts/ relative to `root`, as mlp keeps them; returns the run ID and the manifest."""
    client = MlflowClient(f"sqlite:///{root / 'mlflow.db'}")
    experiment = client.create_experiment("acme/credit")
    # As mlp_platform.store keeps it: relative to the project, so a restored copy finds it.
    db = sqlite3.connect(root / "mlflow.db")
    db.execute(
        "UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?",
        (f"mlartifacts/{experiment}", experiment),
    )
    db.commit()
    db.close()
    run = client.create_run(experiment)
    client.log_param(run.info.run_id, "model_type", "xgboost")
    for step, value in enumerate([0.71, 0.74, float("nan")]):
        client.log_metric(run.info.run_id, "fold.roc_auc", value, step=step, timestamp=1000 + step)
    (root / "plan.json").write_text('{"plan": 1}\n', encoding="utf-8")
    client.log_artifact(run.info.run_id, str(root / "plan.json"), "mlp")
    client.set_terminated(run.info.run_id, "FINISHED")
    files = sorted(p for p in (root / "mlartifacts").rglob("*") if p.is_file())
    manifest = {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    return run.info.run_id, manifest


@pytest.fixture
def restored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, str, dict[str, str]]:
    source = tmp_path / "source"
    source.mkdir()
    monkeypatch.chdir(source)
    run_id, manifest = _store(source)
    copy = tmp_path / "restored"
    shutil.copytree(source, copy)
    monkeypatch.chdir(copy)
    mlflow.set_tracking_uri(f"sqlite:///{copy / 'mlflow.db'}")
    return source / "mlflow.db", copy, run_id, manifest


def test_an_intact_restore_has_no_difference(restored: tuple[Path, Path, str, dict[str, str]]) -> None:
    snapshot, copy, _, manifest = restored
    result = compare(read_snapshot(snapshot), manifest, MlflowClient(f"sqlite:///{copy / 'mlflow.db'}"))
    assert result == {"runs": 1, "artifacts": 1, "differences": [], "outside": []}


def test_each_kind_of_damage_is_named_with_its_run(restored: tuple[Path, Path, str, dict[str, str]]) -> None:
    snapshot, copy, run_id, manifest = restored
    db = sqlite3.connect(copy / "mlflow.db")
    db.execute("UPDATE params SET value = 'dummy' WHERE key = 'model_type'")
    db.execute("DELETE FROM metrics WHERE key = 'fold.roc_auc' AND step = 1")
    db.commit()
    db.close()
    [artifact] = manifest
    (copy / artifact).chmod(0o644)
    (copy / artifact).write_text('{"plan": 2}\n', encoding="utf-8")
    result = compare(read_snapshot(snapshot), manifest, MlflowClient(f"sqlite:///{copy / 'mlflow.db'}"))
    changed = hashlib.sha256(b'{"plan": 2}\n').hexdigest()
    assert result["differences"] == [
        f"run {run_id}: param \"model_type\" is 'dummy', the snapshot has 'xgboost'",
        f'run {run_id}: metric "fold.roc_auc" has 2 values restored, 3 in the snapshot',
        f'run {run_id}: artifact "mlp/plan.json" restored with SHA-256 {changed}',
    ]


def test_an_artifact_missing_from_the_manifest_and_a_foreign_location_are_reported(
    restored: tuple[Path, Path, str, dict[str, str]],
) -> None:
    snapshot, copy, run_id, _ = restored
    result = compare(read_snapshot(snapshot), {}, MlflowClient(f"sqlite:///{copy / 'mlflow.db'}"))
    assert result["differences"] == [
        f'run {run_id}: artifact "mlp/plan.json" is listed by MLflow but not in the backup'
    ]
    db = sqlite3.connect(snapshot)
    db.execute("UPDATE runs SET artifact_uri = '/elsewhere/artifacts'")
    db.commit()
    db.close()
    assert compare(read_snapshot(snapshot), {}, MlflowClient(f"sqlite:///{copy / 'mlflow.db'}"))["outside"] == [run_id]


def test_the_manifest_is_read_as_mlp_writes_it(tmp_path: Path) -> None:
    (tmp_path / "MANIFEST.sha256").write_text(f"{'a' * 64}  mlflow.db\n{'b' * 64}  logs/a b.log\n", encoding="utf-8")
    assert read_manifest(tmp_path / "MANIFEST.sha256") == {"mlflow.db": "a" * 64, "logs/a b.log": "b" * 64}


PG_DATA = """--
-- PostgreSQL database dump
--
SET statement_timeout = 0;

COPY public.runs (run_uuid, name, source_type, status, start_time, artifact_uri, experiment_id) FROM stdin;
r1\tbrave-cat\tUNKNOWN\tFINISHED\t1000\tmlflow-artifacts:/1/r1/artifacts\t1
r2\t\\N\tUNKNOWN\tFAILED\t1001\t\\N\t1
\\.

COPY public.params (key, value, run_uuid) FROM stdin;
model_type\txgboost\tr1
note\ttab\\there, line\\nthere, back\\\\slash, octal \\101, hex \\x42\tr1
\\.

COPY public.tags (key, value, run_uuid) FROM stdin;
mlflow.runName\tbrave-cat\tr1
\\.

COPY public.metrics (key, value, "timestamp", run_uuid, step, is_nan, experiment_id) FROM stdin;
roc_auc\t0.74\t1001\tr1\t1\tf\t1
roc_auc\t0.71\t1000\tr1\t0\tf\t1
roc_auc\t0\t1002\tr1\t2\tt\t1
\\.
"""


def test_a_pg_dump_snapshot_is_read_from_pg_restore_data() -> None:
    runs = read_pg_snapshot(PG_DATA)
    assert sorted(runs) == ["r1", "r2"]
    assert runs["r2"] == {"status": "FAILED", "artifact_uri": "", "params": {}, "tags": {}, "history": {}}
    r1 = runs["r1"]
    assert r1["status"] == "FINISHED"
    assert r1["artifact_uri"] == "mlflow-artifacts:/1/r1/artifacts"
    assert r1["params"] == {"model_type": "xgboost", "note": "tab\there, line\nthere, back\\slash, octal A, hex B"}
    assert r1["tags"] == {"mlflow.runName": "brave-cat"}
    [(s0, t0, v0), (s1, t1, v1), (s2, t2, v2)] = r1["history"]["roc_auc"]
    assert (s0, t0, v0, s1, t1, v1, s2, t2) == (0, 1000, 0.71, 1, 1001, 0.74, 2, 1002)
    assert math.isnan(v2)


def test_a_servers_artifacts_are_read_from_the_restored_artifact_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "artifacts/1/r1/artifacts/mlp").mkdir(parents=True)
    (tmp_path / "artifacts/1/r1/artifacts/mlp/plan.json").write_text('{"plan": 1}\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert server_artifacts(None, "r1", "mlflow-artifacts:/1/r1/artifacts") == (
        "artifacts/1/r1/artifacts/",
        {"mlp/plan.json": hashlib.sha256(b'{"plan": 1}\n').hexdigest()},
    )
    assert server_artifacts(None, "r1", "s3://bucket/1/r1/artifacts") is None

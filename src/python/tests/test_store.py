"""store.prepare_store: the SQLite store is created whole, repaired or refused, and shared safely."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import PLATFORM_DIR
from mlflow.store.db import utils as _utils
from mlflow.tracking import MlflowClient

from mlp_platform.store import StoreError, prepare_store

utils: Any = _utils  # private, untyped MLflow API (see mlp_platform.store)


def _uri(path: Path) -> str:
    return f"sqlite:///{path}"


def _revision(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return str(db.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def _head() -> str:
    return str(utils._get_latest_schema_revision())


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _store_with_a_run(path: Path) -> None:
    lease = prepare_store(_uri(path))
    lease.release_init()
    client = MlflowClient(_uri(path))
    client.create_run(client.create_experiment("acme/x"))


def test_a_missing_store_is_created_complete_with_relative_artifact_locations(tmp_path: Path) -> None:
    path = tmp_path / "mlflow.db"
    lease = prepare_store(_uri(path))
    assert lease.notes == []
    assert _revision(path) == _head()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT artifact_location FROM experiments WHERE experiment_id = 0").fetchone() == (
            "mlruns/0",
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "mlflow.db",
        "mlflow.db-mlp-init.lock",
        "mlflow.db-mlp-use.lock",
    ]


PREPARE_AFTER_GO = """
import pathlib, sys, time
from mlp_platform.store import prepare_store
go = pathlib.Path(sys.argv[1])
while not go.exists():
    time.sleep(0.01)
prepare_store("sqlite:///" + sys.argv[2]).release_init()
"""


def test_eight_processes_preparing_a_new_store_at_once_all_get_the_same_complete_store(tmp_path: Path) -> None:
    path, go = tmp_path / "mlflow.db", tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(PLATFORM_DIR)}
    processes = [
        subprocess.Popen([sys.executable, "-c", PREPARE_AFTER_GO, str(go), str(path)], env=env, stderr=subprocess.PIPE)
        for _ in range(8)
    ]
    go.touch()  # all eight are importing or polling: they start together
    outcomes = [(process.wait(), process.stderr.read().decode() if process.stderr else "") for process in processes]
    assert [code for code, _ in outcomes] == [0] * 8, outcomes
    assert _revision(path) == _head()
    assert not list(tmp_path.glob("mlflow.db-mlp-*-*"))


def test_a_half_created_store_without_runs_is_moved_aside_and_created_anew(tmp_path: Path) -> None:
    path = tmp_path / "mlflow.db"
    # What a first run killed while MLflow created the store left: tables, no schema revision.
    engine = utils.create_sqlalchemy_engine(_uri(path))
    utils._initialize_tables(engine)
    engine.dispose()
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM alembic_version")
    lease = prepare_store(_uri(path))
    assert _revision(path) == _head()
    [aside] = tmp_path.glob("mlflow.db-mlp-incomplete-*")
    assert lease.notes == [
        "mlp: mlflow.db could not be used (its schema is incomplete (it was left half-created)); it held no run, "
        f"so it was moved to {aside.name} and created anew"
    ]


def test_a_half_created_store_that_holds_runs_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "mlflow.db"
    _store_with_a_run(path)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM alembic_version")
    before = _sha(path)
    with pytest.raises(StoreError) as caught:
        prepare_store(_uri(path))
    assert str(caught.value) == (
        'the MLflow store "mlflow.db" holds 1 runs but its schema is incomplete (it was left half-created)'
    )
    assert caught.value.hint == (
        'restore it from a backup, or move it aside (mv "mlflow.db" "mlflow.db.broken") to start a new store; '
        "nothing was recorded"
    )
    assert _sha(path) == before


def test_a_store_that_fails_the_integrity_check_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "mlflow.db"
    _store_with_a_run(path)
    with sqlite3.connect(path) as db:
        root_page = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'index_params_run_uuid'").fetchone()[0]
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    start = (root_page - 1) * page_size
    data[start : start + page_size] = b"\xff" * page_size  # what a torn write or a bad disk leaves
    path.write_bytes(bytes(data))
    before = _sha(path)
    with pytest.raises(StoreError) as caught:
        prepare_store(_uri(path))
    assert str(caught.value).startswith('the MLflow store "mlflow.db" fails SQLite\'s integrity check: ')
    assert caught.value.hint.startswith("restore it from a backup (mlp backup keeps verified copies), or move it aside")
    assert _sha(path) == before


_KILLED_WRITER = """
import os, signal, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA cache_size = 1")
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE runs SET status = 'FAILED'")
db.execute("CREATE TABLE spill (x)")
for _ in range(5000):
    db.execute("INSERT INTO spill VALUES (?)", ("x" * 200,))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_transaction_left_by_a_killed_writer_is_rolled_back_not_taken_for_corruption(tmp_path: Path) -> None:
    path = tmp_path / "mlflow.db"
    _store_with_a_run(path)
    killed = subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(path)], check=False)
    assert killed.returncode == -9
    assert path.with_name("mlflow.db-journal").stat().st_size > 0

    lease = prepare_store(_uri(path))
    lease.release_init()
    assert lease.notes == []
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT status FROM runs").fetchall() == [("RUNNING",)]
        assert db.execute("SELECT 1 FROM sqlite_master WHERE name = 'spill'").fetchone() is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), 'the MLflow store "mlflow.db" is a directory, not a SQLite file'),
        (lambda p: p.write_text("not a database\n"), 'the MLflow store "mlflow.db" is not a SQLite database'),
    ],
)
def test_a_directory_or_a_foreign_file_is_refused_at_once(
    tmp_path: Path, make: Callable[[Path], object], message: str
) -> None:
    path = tmp_path / "mlflow.db"
    make(path)
    with pytest.raises(StoreError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        prepare_store(_uri(path))


def test_an_older_schema_is_upgraded_on_a_copy_and_the_old_store_kept(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "mlflow.db"
    engine = utils.create_sqlalchemy_engine(_uri(path))
    from mlflow.store.tracking.dbmodels.initial_models import Base as InitialBase

    InitialBase.metadata.create_all(engine)
    config = utils._get_alembic_config(_uri(path))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "f5a4f2784254")
    engine.dispose()
    lease = prepare_store(_uri(path))
    assert _revision(path) == _head()
    assert _revision(tmp_path / f"mlflow.db-mlp-before-{_head()}") == "f5a4f2784254"
    assert lease.notes[0].startswith(f"mlp: upgraded the MLflow store mlflow.db from schema f5a4f2784254 to {_head()}")


def test_absolute_artifact_locations_of_earlier_mlp_versions_are_made_relative(tmp_path: Path) -> None:
    path = tmp_path / "mlflow.db"
    _store_with_a_run(path)
    with sqlite3.connect(path) as db:
        run_id = db.execute("SELECT run_uuid FROM runs").fetchone()[0]
        db.execute("UPDATE experiments SET artifact_location = 'file:///old/place/mlartifacts' WHERE experiment_id = 1")
        db.execute(
            "UPDATE runs SET artifact_uri = ? WHERE run_uuid = ?",
            (f"file:///old/place/mlartifacts/{run_id}/artifacts", run_id),
        )
    lease = prepare_store(_uri(path))
    assert lease.notes == ["mlp: 2 artifact locations in mlflow.db made relative to the project"]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT artifact_location FROM experiments WHERE experiment_id = 1").fetchone() == (
            "mlartifacts",
        )
        assert db.execute("SELECT artifact_uri FROM runs").fetchone() == (f"mlartifacts/{run_id}/artifacts",)


def test_waiting_for_a_held_store_lock_ends_when_an_interrupt_arrives(tmp_path: Path) -> None:
    path = tmp_path / "mlflow.db"
    prepare_store(_uri(path)).release_init()
    holder = prepare_store(_uri(path))  # another supervisor preparing the store, holding the lock
    calls: list[int] = []

    def interrupted() -> None:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt("interrupted by SIGINT")

    with pytest.raises(KeyboardInterrupt, match="interrupted by SIGINT"):
        prepare_store(_uri(path), interrupted)
    assert len(calls) == 3
    holder.release_init()
    prepare_store(_uri(path)).release_init()  # the interrupted wait left no lock behind

"""The project's MLflow SQLite store: created once, upgraded once, checked before every run.

MLflow creates a missing SQLite store on first use, in place and in many steps; a first run
killed halfway left a store that MLflow could never open again ("table logged_models already
exists"), and runs started together raced on its creation. So the supervisor prepares the store
before it records anything:

- under an exclusive lock (``<db>-mlp-init.lock``), a missing store is created in a temporary file
  beside it and linked into place, so ``mlflow.db`` is either absent or complete;
- a store left half-created by an older MLflow or mlp holding no run is moved aside and created
  anew; one that holds runs is refused with the fix;
- a store that fails SQLite's integrity check, is a directory or is no SQLite file is refused
  before anything is written to it;
- a store of an older MLflow schema is backed up and upgraded while no run is using it: every
  supervisor holds ``<db>-mlp-use.lock`` shared for its lifetime, an upgrade takes it exclusive.

Artifact locations are stored relative to the project root (``mlartifacts``), so a project
folder that is moved or copied keeps its artifacts: MLflow resolves every local location to an
absolute path when it creates an experiment and has no API for another, so mlp rewrites that one
column (``experiments.artifact_location``, unchanged since MLflow 1.0) while it holds the lock,
before any run of the experiment exists. Stores written by earlier mlp versions, whose locations
were absolute, are rewritten the same way.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

ARTIFACT_ROOT = "mlartifacts"
"""Where a SQLite store's runs keep their artifacts, relative to the project root."""
DEFAULT_EXPERIMENT_ROOT = "mlruns"
"""Where MLflow's Default experiment (id 0) keeps artifacts, relative to the project root."""

_SQLITE_MAGIC = b"SQLite format 3\x00"
_LEGACY_EXPERIMENT = re.compile(r"^(?:file://)?/.*/" + ARTIFACT_ROOT + r"$")
_LEGACY_RUN = re.compile(r"^(?:file://)?/.*/" + ARTIFACT_ROOT + r"/([0-9a-f]{32})/artifacts$")


class StoreError(Exception):
    """The store cannot be used; `hint` says how to proceed. Nothing was written to it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def sqlite_path(uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI (relative paths against the working directory,
    which is the project root), or None for a tracking server."""
    if not uri.startswith("sqlite:///"):
        return None
    return Path(uri[len("sqlite:///") :].split("?", 1)[0]).absolute()


@dataclass
class StoreLease:
    """The locks a supervisor holds on its SQLite store: `init` (exclusive) until the run exists,
    `use` (shared) until the process exits. Empty for a tracking server."""

    path: Path | None
    init: IO[bytes] | None = None
    use: IO[bytes] | None = None
    notes: list[str] = field(default_factory=list)

    def release_init(self) -> None:
        """Lets other supervisors prepare the store; keeps the shared `use` lock."""
        if self.init is not None:
            self.init.close()
            self.init = None


@contextlib.contextmanager
def _connect(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection that commits on success and is closed on leaving (sqlite3's own context
    manager only commits)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True) if read_only else sqlite3.connect(path)
    try:
        with db:
            yield db
    finally:
        db.close()


Checkpoint = Callable[[], None]
"""Called while waiting for a lock; raises to stop waiting (an interrupt arrived)."""

_LOCK_POLL_SECONDS = 0.1


def _flock(handle: IO[bytes], mode: int, checkpoint: Checkpoint) -> None:
    """Takes the lock, polling so that an interrupt can end the wait (a blocking flock would
    resume after every signal)."""
    while True:
        try:
            fcntl.flock(handle, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            checkpoint()
            time.sleep(_LOCK_POLL_SECONDS)


def _lock(path: Path, mode: int, store: Path, checkpoint: Checkpoint) -> IO[bytes]:
    """Locks `path` (beside `store`); an error names the store, which is what the user knows."""
    try:
        handle = open(path, "ab")  # the lock lives as long as the handle
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(store)) from error
    try:
        _flock(handle, mode, checkpoint)
    except BaseException:
        handle.close()
        raise
    return handle


def _refuse_unusable(path: Path) -> None:
    if path.is_dir():
        raise StoreError(
            f'the MLflow store "{path.name}" is a directory, not a SQLite file',
            f'move it aside (mv "{path.name}" "{path.name}.dir") so mlp can create the store, or set '
            "MLFLOW_TRACKING_URI to the store that holds the runs",
        )
    with open(path, "rb") as handle:
        header = handle.read(len(_SQLITE_MAGIC))
    if header and header != _SQLITE_MAGIC:
        raise StoreError(
            f'the MLflow store "{path.name}" is not a SQLite database',
            f'restore it from a backup (mlp backup), or move it aside (mv "{path.name}" '
            f'"{path.name}.broken") to start a new store',
        )


def _integrity(path: Path) -> list[str]:
    """SQLite's integrity check; [] when the database is sound.

    Read-write on purpose: a writer killed mid-transaction leaves a hot journal that only a
    connection allowed to write rolls back (a read-only one fails with "attempt to write a
    readonly database", which is not corruption). Rolling back restores the last commit."""
    try:
        with _connect(path) as db:
            rows = [str(row[0]) for row in db.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        return [str(error)]
    return [] if rows == ["ok"] else rows


def _count(path: Path, table: str) -> int:
    with _connect(path, read_only=True) as db:
        exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) if exists else 0


def _db_utils() -> Any:
    """MLflow's store utilities (schema revision, table check, migrations): private and untyped,
    pinned by the project's uv.lock and exercised by this module's tests."""
    from mlflow.store.db import utils

    return cast(Any, utils)


def _create(path: Path) -> None:
    """Creates a complete store at `path` (absent), never a partial one."""
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore as _Store

    SqlAlchemyStore = cast(Any, _Store)

    for stale in path.parent.glob(f"{path.name}-mlp-new-*"):
        stale.unlink(missing_ok=True)  # left by a creator that died: we hold its lock
    tmp = path.with_name(f"{path.name}-mlp-new-{os.getpid()}")
    store = SqlAlchemyStore(f"sqlite:///{tmp}", DEFAULT_EXPERIMENT_ROOT)
    store.engine.dispose()
    with _connect(tmp) as db:
        db.execute(
            "UPDATE experiments SET artifact_location = ? WHERE experiment_id = 0", (f"{DEFAULT_EXPERIMENT_ROOT}/0",)
        )
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass  # created meanwhile by a process that does not take mlp's lock: check that one
    finally:
        tmp.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _schema(uri: str) -> tuple[bool, str | None, str, bool]:
    """(all tables exist, current revision, head revision, current is a known revision)."""
    from alembic.script import ScriptDirectory

    utils = _db_utils()
    engine = utils.create_sqlalchemy_engine(uri)
    try:
        complete = utils._all_tables_exist(engine)
        current = utils._get_schema_version(engine)
    finally:
        engine.dispose()
    script = ScriptDirectory.from_config(utils._get_alembic_config(db_url=""))
    heads = script.get_heads()
    known = current is not None and any(rev.revision == current for rev in script.walk_revisions())
    return complete, current, heads[0], known


def _wait_for_exclusive_use(path: Path, checkpoint: Checkpoint) -> IO[bytes]:
    """The `use` lock, exclusive: no run is recording in the store while it is held."""
    use = open(path.with_name(f"{path.name}-mlp-use.lock"), "ab")
    try:
        fcntl.flock(use, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"mlp: waiting for the runs in progress to end before upgrading {path.name}", file=sys.stderr)
        try:
            _flock(use, fcntl.LOCK_EX, checkpoint)
        except BaseException:
            use.close()
            raise
    return use


def _upgrade(path: Path, lease: StoreLease, current: str, head: str, checkpoint: Checkpoint) -> str | None:
    """Upgrades the store to `head` on a copy, swapped in only when the upgrade succeeded (MLflow's
    migrations are not transactional on SQLite); returns why it failed, or None."""
    utils = _db_utils()
    use = _wait_for_exclusive_use(path, checkpoint)
    copy = path.with_name(f"{path.name}-mlp-upgrade-{os.getpid()}")
    try:
        with _connect(path, read_only=True) as source, _connect(copy) as target:
            source.backup(target)
        engine = utils.create_sqlalchemy_engine(f"sqlite:///{copy}")
        try:
            utils._upgrade_db(engine)
        finally:
            engine.dispose()
    except Exception as error:  # the migration's own error says what is inconsistent
        copy.unlink(missing_ok=True)
        use.close()
        return f"upgrading it from schema {current} failed: {str(error).splitlines()[0]}"
    backup = path.with_name(f"{path.name}-mlp-before-{head}")
    path.rename(backup)
    copy.rename(path)
    fcntl.flock(use, fcntl.LOCK_SH)
    lease.use = use
    lease.notes.append(
        f"mlp: upgraded the MLflow store {path.name} from schema {current} to {head} (the old store is kept as "
        f"{backup.name})"
    )
    return None


def _replace_if_empty(path: Path, lease: StoreLease, problem: str) -> None:
    """A store that cannot be used: made anew when it holds no run, else refused with the fix."""
    runs = _count(path, "runs")
    if runs > 0:
        raise StoreError(
            f'the MLflow store "{path.name}" holds {runs} runs but {problem}',
            f'restore it from a backup, or move it aside (mv "{path.name}" "{path.name}.broken") to start a new '
            "store; nothing was recorded",
        )
    aside = path.with_name(f"{path.name}-mlp-incomplete-{time.strftime('%Y%m%dT%H%M%S')}")
    path.rename(aside)
    _create(path)
    lease.notes.append(
        f"mlp: {path.name} could not be used ({problem}); it held no run, so it was moved to {aside.name} and "
        "created anew"
    )


def _relocate_legacy(path: Path) -> int:
    """Rewrites absolute artifact locations of earlier mlp versions to project-relative ones."""
    changed = 0
    with _connect(path) as db:
        for experiment_id, location in db.execute(
            "SELECT experiment_id, artifact_location FROM experiments"
        ).fetchall():
            if location and _LEGACY_EXPERIMENT.match(location):
                db.execute(
                    "UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?",
                    (ARTIFACT_ROOT, experiment_id),
                )
                changed += 1
        for run_id, uri in db.execute("SELECT run_uuid, artifact_uri FROM runs").fetchall():
            match = _LEGACY_RUN.match(uri or "")
            if match and match.group(1) == run_id:
                db.execute(
                    "UPDATE runs SET artifact_uri = ? WHERE run_uuid = ?",
                    (f"{ARTIFACT_ROOT}/{run_id}/artifacts", run_id),
                )
                changed += 1
    return changed


def prepare_store(uri: str, checkpoint: Checkpoint = lambda: None) -> StoreLease:
    """Makes the SQLite store behind `uri` ready for a run and returns the locks held on it (the
    `init` lock stays exclusive until the caller has created its experiment and run). While it
    waits for a lock it calls `checkpoint`, which may raise to stop.

    Raises StoreError when the store cannot be used; nothing is written to it then.
    """
    path = sqlite_path(uri)
    if path is None:
        return StoreLease(None)
    if path.is_dir():
        _refuse_unusable(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lease = StoreLease(path, init=_lock(path.with_name(f"{path.name}-mlp-init.lock"), fcntl.LOCK_EX, path, checkpoint))
    try:
        if not path.exists() or path.stat().st_size == 0:
            path.unlink(missing_ok=True)
            _create(path)
        _refuse_unusable(path)
        problems = _integrity(path)
        if problems:
            raise StoreError(
                f'the MLflow store "{path.name}" fails SQLite\'s integrity check: {"; ".join(problems[:3])}',
                f'restore it from a backup (mlp backup keeps verified copies), or move it aside (mv "{path.name}" '
                f'"{path.name}.broken") to start a new store; nothing was recorded',
            )
        complete, current, head, known = _schema(f"sqlite:///{path}")
        if current is None or (current == head and not complete):
            _replace_if_empty(path, lease, "its schema is incomplete (it was left half-created)")
        elif current != head:
            if not known:
                raise StoreError(
                    f'the MLflow store "{path.name}" was written by a newer MLflow (schema {current}) than this '
                    f"project's environment knows (schema {head})",
                    "run with the environment that wrote it (uv.lock pins the MLflow version), or restore a backup",
                )
            failure = _upgrade(path, lease, current, head, checkpoint)
            if failure:
                _replace_if_empty(path, lease, failure)
        relocated = _relocate_legacy(path)
        if relocated:
            lease.notes.append(f"mlp: {relocated} artifact locations in {path.name} made relative to the project")
        if lease.use is None:
            lease.use = _lock(path.with_name(f"{path.name}-mlp-use.lock"), fcntl.LOCK_SH, path, checkpoint)
    except BaseException:
        lease.release_init()
        raise
    return lease


def make_artifact_location_relative(uri: str, experiment_id: str) -> None:
    """Points a SQLite store's new experiment at the project-relative artifact root. Call while
    holding the `init` lock, before any run of the experiment exists."""
    path = sqlite_path(uri)
    if path is None:
        return
    with _connect(path) as db:
        db.execute(
            "UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?", (ARTIFACT_ROOT, int(experiment_id))
        )

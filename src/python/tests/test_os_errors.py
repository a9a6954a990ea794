"""The platform's description of an operating-system error: what happened, where, and the fix."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from mlp_platform.os_errors import OsProblem, describe

FULL_FIX = "free space there (or move the project)"


def raised(action: object) -> BaseException:
    """Runs `action` (a callable) and returns what it raised."""
    try:
        action()  # type: ignore[operator]
    except BaseException as error:
        return error
    raise AssertionError("nothing was raised")


def write_to_dev_full() -> None:
    with open("/dev/full", "wb") as sink:
        sink.write(b"x")


def test_a_full_file_system_is_named_by_the_destination_of_a_copy(tmp_path: Path) -> None:
    # What shutil's sendfile copy raises (seen copying the model into a full mlartifacts/).
    source, destination = tmp_path / ".mlp/out/model.skops", tmp_path / "mlartifacts/r1/model.skops"
    error = OSError(errno.ENOSPC, "No space left on device", str(source), None, str(destination))
    assert describe(error, root=tmp_path) == OsProblem(
        'the file system holding "mlartifacts/r1/model.skops" is full', FULL_FIX
    )


def test_a_full_file_system_without_a_file_name_is_the_fallback_inside_the_project(tmp_path: Path) -> None:
    def save() -> None:
        try:
            write_to_dev_full()
        except OSError as error:
            raise RuntimeError("The sklearn model could not be serialized") from error

    problem = describe(raised(save), root=tmp_path, where=[tmp_path / ".mlp/runs/r1/scratch"])
    assert problem == OsProblem('the file system holding ".mlp/runs/r1/scratch" is full', FULL_FIX)
    assert problem.line() == (
        'the file system holding ".mlp/runs/r1/scratch" is full: free space there (or move the project), '
        "then run `mlp run` again"
    )


def test_of_the_places_written_to_the_one_without_free_space_is_named(tmp_path: Path) -> None:
    # /proc reports no free space at all, as a full file system does.
    problem = describe(raised(write_to_dev_full), root=tmp_path, where=[tmp_path / "scratch", Path("/proc/self")])
    assert problem == OsProblem('the file system holding "/proc/self" is full', FULL_FIX)


def test_a_full_store_is_named_by_the_store(tmp_path: Path) -> None:
    store = tmp_path / "mlflow.db"
    db = sqlite3.connect(store)
    db.execute("CREATE TABLE runs (id TEXT)")
    db.execute("PRAGMA max_page_count = 2")

    def write() -> None:
        try:
            db.execute("INSERT INTO runs VALUES (?)", ("x" * 100_000,))
        except sqlite3.Error as error:
            raise RuntimeError("(sqlite3.OperationalError) database or disk is full") from error

    error = raised(write)
    assert describe(error, root=tmp_path, store=store) == OsProblem(
        'the file system holding "mlflow.db" is full', FULL_FIX
    )
    assert describe(error, root=tmp_path) is None, "without a store, a SQLite error is not placed"


def test_a_store_that_cannot_be_written_on_a_writable_file_system_is_a_permission_problem(tmp_path: Path) -> None:
    store = tmp_path / "mlflow.db"
    sqlite3.connect(store).execute("CREATE TABLE runs (id TEXT)").connection.commit()
    store.chmod(0o444)
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    error = raised(lambda: db.execute("INSERT INTO runs VALUES ('x')"))
    assert getattr(error, "sqlite_errorname", None) == "SQLITE_READONLY"
    assert describe(error, root=tmp_path, store=store) == OsProblem(
        'permission denied on "mlflow.db"',
        f'"mlflow.db" belongs to uid {os.getuid()} (mode 0444): run mlp as that user, or take it over '
        '(`sudo chown -R "$(id -u)" "mlflow.db"`)',
    )


def test_read_only_permission_and_immutable_paths(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir(mode=0o750)
    (tmp_path / "out").chmod(0o750)
    missing = str(tmp_path / "out" / "oof.parquet")
    assert describe(OSError(errno.EROFS, "Read-only file system", missing), root=tmp_path) == OsProblem(
        'the file system holding "out/oof.parquet" is read-only',
        "remount it read-write or move the project to a writable disk",
    )
    assert describe(OSError(errno.EACCES, "Permission denied", missing), root=tmp_path) == OsProblem(
        'permission denied on "out/oof.parquet"',
        f'"out" belongs to uid {os.getuid()} (mode 0750): run mlp as that user, or take it over '
        '(`sudo chown -R "$(id -u)" "out"`)',
    )
    assert describe(OSError(errno.EPERM, "Operation not permitted", missing), root=tmp_path) == OsProblem(
        'operation not permitted on "out/oof.parquet"',
        'it may be immutable or append-only: `lsattr -d "out/oof.parquet"` shows an "i" or "a" flag, '
        f'`sudo chattr -i -a "out/oof.parquet"` clears them; else check its owner (uid {os.getuid()}, mode 0750)',
    )
    assert describe(OSError(errno.EDQUOT, "Disk quota exceeded", missing), root=tmp_path) == OsProblem(
        'your disk quota on the file system holding "out/oof.parquet" is used up',
        "free space there or ask for a larger quota",
    )


@pytest.mark.parametrize(
    "error",
    [
        ValueError("not an OS error"),
        OSError(errno.ENOENT, "No such file or directory", "x"),
        OSError(errno.EBADF, "Bad file descriptor"),
    ],
)
def test_other_errors_are_not_described(tmp_path: Path, error: BaseException) -> None:
    assert describe(error, root=tmp_path) is None


def test_a_full_file_system_that_no_one_named() -> None:
    assert describe(raised(write_to_dev_full), root=Path("/p")) == OsProblem(
        "a file system the run writes to is full", FULL_FIX
    )

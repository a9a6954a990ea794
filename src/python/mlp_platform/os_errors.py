"""Describing an operating-system error (a full, read-only or forbidden file system) in words a person
or an agent can act on: what happened where, and the fix.

The supervisor and the trainer record this as the run's error and print it instead of a traceback.
The error is often wrapped: MLflow re-raises a failed model save or store write as an
``MlflowException`` whose cause is the ``OSError`` or the ``sqlite3`` error, so the whole chain is
searched. Paths inside the project are shown relative to it (stored records hold no machine paths).
Standard library only: the trainer uses this too.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

FULL, QUOTA, READ_ONLY, DENIED, NOT_PERMITTED = errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM

SQLITE_FULL = "SQLITE_FULL"
SQLITE_UNWRITABLE = ("SQLITE_READONLY", "SQLITE_CANTOPEN")
"""SQLite's names for a store it cannot write: read-only (a prefix: SQLITE_READONLY_DBMOVED, …) or
unopenable, which is a read-only file system or a permission; which one, the file system says."""


@dataclass(frozen=True)
class OsProblem:
    """What the operating system refused (`what`, naming the path) and how to fix it (`fix`)."""

    what: str
    fix: str

    def line(self, then: str = "then run `mlp run` again") -> str:
        """One line for the run's error and stderr: what, fix, and what to do next."""
        return f"{self.what}: {self.fix}, {then}"


def describe(
    error: BaseException,
    *,
    root: Path,
    where: Sequence[Path] = (),
    store: Path | None = None,
    sandboxed: bool = False,
) -> OsProblem | None:
    """Describes the first full, read-only or forbidden file system in `error`'s chain.

    `where` lists the places the process writes to, for an error that names no path (a write on an
    open file): the one whose file system has the least free space (or is read-only, or is not
    writable) is named. `store` is the SQLite file of the tracking store, named for a SQLite error.
    In a `sandboxed` process a permission error outside `where` is the sandbox refusing project
    code, not the machine's to fix, and is left to the traceback. Returns None when the chain holds
    no such error (a bug or a project error: the traceback says more).
    """
    for link in _chain(error):
        if isinstance(link, sqlite3.Error) and store is not None:
            name = getattr(link, "sqlite_errorname", "")
            if name == SQLITE_FULL:
                return _problem(FULL, store, root)
            if name.startswith(SQLITE_UNWRITABLE):
                return _problem(READ_ONLY if _read_only(store) else DENIED, store, root)
        if isinstance(link, OSError) and link.errno in (FULL, QUOTA, READ_ONLY, DENIED, NOT_PERMITTED):
            # A copy names its source and then its destination, the side that was written.
            named = next((n for n in (link.filename2, link.filename) if isinstance(n, str | os.PathLike)), None)
            if sandboxed and link.errno in (DENIED, NOT_PERMITTED):
                # Outside its scratch (or on a socket, which names no path) the sandbox refused.
                if named is None or not _inside(Path(named), where):
                    return None
            path = Path(named) if named is not None else _likeliest(link.errno, where)
            if path is None:
                return _unplaced(link.errno)
            return _problem(link.errno, path, root)
    return None


def _inside(path: Path, places: Sequence[Path]) -> bool:
    resolved = path.absolute()
    return any(resolved.is_relative_to(place.absolute()) for place in places)


def sqlite_store(tracking_uri: str, root: Path) -> Path | None:
    """The SQLite file of a ``sqlite:///`` tracking URI (a relative one is relative to the project
    root, where the supervisor runs); None for a tracking server."""
    prefix = "sqlite:///"
    if not tracking_uri.startswith(prefix):
        return None
    path = Path(tracking_uri[len(prefix) :].split("?")[0])
    return path if path.is_absolute() else root / path


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


def _problem(code: int, path: Path, root: Path) -> OsProblem:
    shown = _shown(path, root)
    problem = _file_system_problem(code, f'the file system holding "{shown}"')
    if problem is not None:
        return problem
    owner, info = _nearest(path)
    if code == DENIED:
        if info is None:
            return OsProblem(f'permission denied on "{shown}"', "check the owner and mode of the path")
        mine = _shown(owner, root)
        return OsProblem(
            f'permission denied on "{shown}"',
            f'"{mine}" belongs to uid {info.st_uid} (mode {_octal(info)}): run mlp as that user, or take it over '
            f'(`sudo chown -R "$(id -u)" "{mine}"`)',
        )
    return OsProblem(
        f'operation not permitted on "{shown}"',
        f'it may be immutable or append-only: `lsattr -d "{shown}"` shows an "i" or "a" flag, '
        f'`sudo chattr -i -a "{shown}"` clears them; else check its owner'
        + ("" if info is None else f" (uid {info.st_uid}, mode {_octal(info)})"),
    )


def _unplaced(code: int) -> OsProblem | None:
    return _file_system_problem(code, "a file system the run writes to")


def _file_system_problem(code: int, holding: str) -> OsProblem | None:
    """A full, over-quota or read-only file system, `holding` naming it."""
    if code == FULL:
        return OsProblem(f"{holding} is full", "free space there (or move the project)")
    if code == QUOTA:
        return OsProblem(f"your disk quota on {holding} is used up", "free space there or ask for a larger quota")
    if code == READ_ONLY:
        return OsProblem(f"{holding} is read-only", "remount it read-write or move the project to a writable disk")
    return None


def _likeliest(code: int | None, places: Sequence[Path]) -> Path | None:
    """The place an error that names no path most likely concerns."""
    if not places:
        return None
    if code in (FULL, QUOTA):
        return min(places, key=_free_bytes)
    if code == READ_ONLY:
        return next((place for place in places if _read_only(place)), places[0])
    return next((place for place in places if not os.access(_nearest(place)[0], os.W_OK)), places[0])


def _free_bytes(path: Path) -> int:
    info = os.statvfs(_nearest(path)[0])
    return info.f_bavail * info.f_frsize


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_absolute() and path.is_relative_to(root) else str(path)


def _nearest(path: Path) -> tuple[Path, os.stat_result | None]:
    """The path itself, or its nearest existing parent, with its status."""
    for candidate in (path, *path.parents):
        try:
            return candidate, os.lstat(candidate)
        except OSError:
            continue
    return path, None


def _read_only(path: Path) -> bool:
    existing, info = _nearest(path)
    return info is not None and bool(os.statvfs(existing).f_flag & os.ST_RDONLY)


def _octal(info: os.stat_result) -> str:
    return f"0{stat.S_IMODE(info.st_mode):03o}"

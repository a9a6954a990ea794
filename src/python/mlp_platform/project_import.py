"""Importing project code from its source only, so what runs is what mlp hashed and git recorded.

Python's own finder also loads ``src/__pycache__/<module>.<tag>.pyc``, trusting it when the mtime
and size written in it match the source's (a crafted or stale cache runs other code than the
``.py`` file), and imports a sourceless ``helpers.pyc`` or an extension module lying in ``src/``.
Under the project's source folder the trainer therefore uses a finder that knows ``.py`` files and
packages only, and a loader that compiles the source on every import and never reads or writes
bytecode. Everything else (the platform, the virtual environment's packages) keeps Python's
finders and their bytecode caches.
"""

from __future__ import annotations

import sys
from importlib.machinery import SOURCE_SUFFIXES, FileFinder, SourceFileLoader
from pathlib import Path
from types import CodeType


class SourceOnlyLoader(SourceFileLoader):
    """A source loader that compiles the ``.py`` file itself, with no bytecode cache."""

    def get_code(self, fullname: str) -> CodeType:
        """Compiles the module's source; a ``.pyc`` beside it or in ``__pycache__`` is never read."""
        path = self.get_filename(fullname)
        return self.source_to_code(self.get_data(path), path)


def use_source_only(project_src: Path) -> None:
    """Puts `project_src` first on ``sys.path`` and makes every directory under it (packages
    included) importable from ``.py`` sources only, through :class:`SourceOnlyLoader`."""
    root = project_src.resolve()

    def hook(path: str) -> FileFinder:
        resolved = Path(path).resolve()
        if resolved != root and root not in resolved.parents:
            raise ImportError("not project source")  # the next hook (Python's own) takes it
        return FileFinder(path, (SourceOnlyLoader, SOURCE_SUFFIXES))

    sys.path_hooks.insert(0, hook)
    sys.path.insert(0, str(project_src))
    # Finders made for these directories before the hook was installed would be reused.
    for cached in list(sys.path_importer_cache):
        resolved = Path(cached).resolve()
        if resolved == root or root in resolved.parents:
            del sys.path_importer_cache[cached]


def assert_no_project_modules(project_src: Path) -> None:
    """Fails if any loaded module's file lies in the project's source directory: the supervisor and
    the trainer never import project code (only the feature stage does)."""
    src = project_src.resolve()
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if origin and Path(origin).resolve().is_relative_to(src):
            raise AssertionError(f'project module "{name}" was imported from "{origin}"')

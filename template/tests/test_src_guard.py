"""Training and MLflow logging belong to `mlp run`. This runs `mlp guard`, the pre-commit hook's
own training guard, over the project's files: one rule, one implementation, so pytest and the hook
never disagree (comments, strings and docstrings do not count; import aliases do)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def find_mlp() -> str:
    """mlp as the git hooks find it: $MLP if set, else `mlp` on PATH; fails when it is missing."""
    name = os.environ.get("MLP") or "mlp"
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f'mlp cannot be found: "{name}" is not on PATH and is not an executable file, so the '
            "training guard cannot run: put the mlp repository's bin/mlp on PATH or set "
            "MLP=/path/to/mlp, then run pytest again",
            pytrace=False,
        )
    return found


def test_no_training_or_mlflow_outside_mlp_run(root):
    result = subprocess.run(
        [find_mlp(), "guard"], cwd=root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, (
        "mlp guard found training or MLflow calls outside `mlp run` (the pre-commit hook refuses "
        "them too):\n" + result.stderr
    )

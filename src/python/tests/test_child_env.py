"""child_env.trainer_env: the allow-listed trainer environment."""

from __future__ import annotations

from pathlib import Path

from mlp_platform.child_env import trainer_env


def test_trainer_env_keeps_only_the_allow_list() -> None:
    parent = {
        "PATH": "/usr/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C",
        "OMP_NUM_THREADS": "2",
        "AWS_SECRET_ACCESS_KEY": "s",
        "MLFLOW_TRACKING_URI": "x",
        "GITHUB_TOKEN": "t",
        "SSH_AUTH_SOCK": "/s",
        "GIT_DIR": "/g",
        "HOME": "/root",
        "PYTHONPATH": "/evil",
        "VIRTUAL_ENV": "/v",
    }
    env = trainer_env(parent, Path("/p/.mlp/runs/1"), Path("/p/.mlp/platform/h"))
    assert env == {
        "PATH": "/usr/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C",
        "OMP_NUM_THREADS": "2",
        "HOME": "/p/.mlp/runs/1",
        "TMPDIR": "/p/.mlp/runs/1/tmp",
        "JOBLIB_TEMP_FOLDER": "/p/.mlp/runs/1/tmp",
        "MPLCONFIGDIR": "/p/.mlp/runs/1/mpl",
        "PYTHONPATH": "/p/.mlp/platform/h",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    }

"""The trainer's environment: an allow-list, so tokens and credentials never reach project code."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

PASSED = (
    "PATH",
    "LANG",
    "LANGUAGE",
    "TZ",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
"""Variables copied from the supervisor's environment when set, plus every ``LC_*``."""


def trainer_env(parent: Mapping[str, str], scratch_dir: Path, platform_dir: Path) -> dict[str, str]:
    """Builds the trainer's environment from `parent`: the allow-listed variables, HOME, TMPDIR
    (which multiprocessing and loky use through ``tempfile``), JOBLIB_TEMP_FOLDER (joblib's memory
    maps, which would otherwise go to /dev/shm) and MPLCONFIGDIR inside the scratch directory,
    PYTHONPATH = the platform directory only, and fixed hashing so set ordering does not vary
    between runs. Everything else is dropped."""
    env = {key: value for key, value in parent.items() if key in PASSED or key.startswith("LC_")}
    env.update(
        {
            "HOME": str(scratch_dir),
            "TMPDIR": str(scratch_dir / "tmp"),
            "JOBLIB_TEMP_FOLDER": str(scratch_dir / "tmp"),
            "MPLCONFIGDIR": str(scratch_dir / "mpl"),
            "PYTHONPATH": str(platform_dir),
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env

"""Tier 2 facts about the machine and the key package versions, as ``system.*`` params."""

from __future__ import annotations

import glob
import os
import platform
from importlib import metadata

PACKAGES = {
    "mlflow": ("mlflow", "mlflow-skinny"),
    "sklearn": ("scikit-learn",),
    "xgboost": ("xgboost", "xgboost-cpu"),
    "lightgbm": ("lightgbm",),
    "pandas": ("pandas",),
    "numpy": ("numpy",),
}
"""Param suffix → distribution names to try, first installed wins."""


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(("model name", "Hardware")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> str:
    try:
        return f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f}"
    except (ValueError, OSError):
        return "unknown"


def _gpus() -> str:
    models = []
    for info in sorted(glob.glob("/proc/driver/nvidia/gpus/*/information")):
        with open(info, encoding="utf-8") as handle:
            models += [line.split(":", 1)[1].strip() for line in handle if line.startswith("Model:")]
    return ", ".join(models) or "none"


def _version(names: tuple[str, ...]) -> str:
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def system_params() -> dict[str, str]:
    """The ``system.*`` params: Python, platform, CPU, RAM, GPU and package versions."""
    params = {
        "system.python_version": platform.python_version(),
        "system.platform": platform.platform(),
        "system.cpu": _cpu_model(),
        "system.cpu_count": str(os.cpu_count() or 0),
        "system.ram_gb": _ram_gb(),
        "system.gpu": _gpus(),
    }
    params.update({f"system.pkg.{key}": _version(names) for key, names in PACKAGES.items()})
    return params

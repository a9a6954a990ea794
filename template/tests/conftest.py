"""Shared setup: src/ is importable as top-level modules (`import features`, `import model`), as in
mlp's trainer, and the configs are loaded once. PyYAML comes with MLflow, a pinned dependency."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def load_yaml(relative: str) -> dict:
    """Parses a YAML file of the project."""
    return yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def standards() -> dict:
    return load_yaml("configs/project_standards.yaml")


@pytest.fixture(scope="session")
def experiment() -> dict:
    return load_yaml("configs/experiment.yaml")

"""Fixtures: a tiny client project on disk and a way to run the real supervisor on it."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy
import pandas
import pytest

import mlp_platform
from mlp_platform.dataset import schema_bytes, schema_hash

PLATFORM_DIR = Path(mlp_platform.__file__).resolve().parent.parent
ENV_PROJECT = Path(sys.prefix).parent
"""The client project whose environment runs the tests (scripts/platform_env.sh): its uv.lock and
pyproject.toml are the fixture project's, so that the model's environment is a real lock."""

FEATURES_OK = """
import pandas

def build_features(df: pandas.DataFrame, params: dict) -> pandas.DataFrame:
    out = df[["income", "age"]].astype(float)
    out["ratio"] = out["income"] / (out["age"] + 1)
    return out
"""

MODEL_LOGISTIC = """
from sklearn.linear_model import LogisticRegression

def build_model(model_type, hyperparameters, random_seed):
    return LogisticRegression(max_iter=hyperparameters.get("max_iter", 200), random_state=random_seed)
"""

MODEL_XGBOOST = """
from xgboost import XGBClassifier

def build_model(model_type, hyperparameters, random_seed):
    return XGBClassifier(random_state=random_seed, n_jobs=1, **hyperparameters)
"""


def write_manifest(dataset_dir: Path) -> str:
    """Writes the dataset's MANIFEST.sha256 as mlp does (``<sha256>  <path>`` per file, sorted by
    path) and returns the dataset hash, the SHA-256 of the manifest's bytes."""
    files = sorted(p for p in dataset_dir.rglob("*") if p.is_file() and p.name != "MANIFEST.sha256")
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(dataset_dir).as_posix()}\n" for p in files]
    manifest = "".join(sorted(lines, key=lambda line: line[66:].encode())).encode()
    (dataset_dir / "MANIFEST.sha256").write_bytes(manifest)
    return hashlib.sha256(manifest).hexdigest()


def make_frame(rows: int = 240, seed: int = 7) -> pandas.DataFrame:
    """A small credit-like table: two numeric features, a date and a binary target."""
    rng = numpy.random.default_rng(seed)
    income = rng.normal(50_000, 15_000, rows).round(2)
    age = rng.integers(18, 80, rows)
    logit = (income - 50_000) / 10_000 - (age - 45) / 20
    default = (rng.random(rows) < 1 / (1 + numpy.exp(logit))).astype("int64")
    dates = pandas.date_range("2024-01-01", periods=rows, freq="D")
    return pandas.DataFrame({"income": income, "age": age, "application_date": dates, "default": default})


@dataclass
class Project:
    """A client project in a temp dir, with a plan for one run."""

    root: Path
    plan_path: Path
    plan: dict[str, Any]
    dataset_dir: Path

    tracking_uri: str = ""

    def write_plan(self, **changes: Any) -> None:
        """Applies top-level or dotted (`training.split_strategy`) changes and rewrites the plan."""
        for key, value in changes.items():
            target = self.plan
            *parents, leaf = key.split("__")
            for parent in parents:
                target = target[parent]
            target[leaf] = value
        self.plan_path.write_text(json.dumps(self.plan, indent=1))

    def write_dataset(self, df: pandas.DataFrame) -> None:
        """Replaces the dataset's table with `df`, its manifest, and the plan's hashes with theirs."""
        df.to_parquet(self.dataset_dir / "data.parquet", index=False)
        (self.dataset_dir / "schema.json").write_bytes(schema_bytes(df))  # as mlp data add writes it
        digest = write_manifest(self.dataset_dir)
        self.plan["params"]["dataset_schema_hash"] = schema_hash(df)
        self.plan["params"]["dataset_hash"] = digest
        self.write_plan(dataset__schema_hash=schema_hash(df), dataset__hash=digest)

    def write_src(self, name: str, code: str) -> None:
        (self.root / "src" / name).write_text(textwrap.dedent(code))


def make_project(root: Path, features: str = FEATURES_OK, model: str = MODEL_LOGISTIC) -> Project:
    """Writes src/, a dataset under data/shadow/, decoys the trainer must not reach, and a plan."""
    (root / "src").mkdir(parents=True)
    (root / "src" / "features.py").write_text(textwrap.dedent(features))
    (root / "src" / "model.py").write_text(textwrap.dedent(model))
    for name in ("uv.lock", "pyproject.toml"):
        (root / name).write_bytes((ENV_PROJECT / name).read_bytes())
    df = make_frame()
    dataset_dir = root / "data" / "shadow" / ("a" * 64)
    dataset_dir.mkdir(parents=True)
    df.to_parquet(dataset_dir / "data.parquet", index=False)
    (dataset_dir / "schema.json").write_bytes(schema_bytes(df))  # as mlp data add writes it
    digest = write_manifest(dataset_dir)
    other = root / "data" / "shadow" / ("b" * 64)
    other.mkdir(parents=True)
    (other / "data.csv").write_text("secret\n1\n")
    (root / "data" / "production").mkdir(parents=True)
    (root / "data" / "production" / "x.csv").write_text("customer,balance\nalice,100\n")
    scratch = root / ".mlp" / "runs" / "run1"
    scratch.mkdir(parents=True)
    platform = root / ".mlp" / "platform" / "p1"
    platform.parent.mkdir(parents=True)
    platform.symlink_to(PLATFORM_DIR, target_is_directory=True)
    dataset_rel = f"data/shadow/{'a' * 64}"
    plan = {
        "plan_version": 2,
        "experiment_name": "acme/scorecard",
        "run_name": None,
        "tags": {
            "client_name": "acme",
            "project_name": "scorecard",
            "use_case": "credit_risk",
            "mlp.config": "configs/experiment.yaml",
            "mlp.operator": "human:tester",
            "sandbox": "landlock",
            "primary_metric": "roc_auc",
        },
        "params": {
            "model_type": "logistic_regression",
            "hyperparameters.max_iter": "200",
            "git_commit": "0123456789abcdef0123456789abcdef01234567",
            "git_dirty": "false",
            "dependency_lock_hash": hashlib.sha256((root / "uv.lock").read_bytes()).hexdigest(),
            "dataset_hash": digest,
            "dataset_schema_hash": schema_hash(df),
        },
        "dataset": {
            "dir": dataset_rel,
            "hash": digest,
            "schema_hash": schema_hash(df),
            "tables": ["data.parquet"],
        },
        "training": {
            "model_type": "logistic_regression",
            "hyperparameters": {"max_iter": 200},
            "hyperparameter_types": {"max_iter": "integer"},
            "random_seed": 42,
            "features": {},
            "target_column": "default",
            "date_column": "application_date",
            "split_strategy": "stratified_kfold",
            "n_splits": 3,
            "test_fraction": 0.25,
            "threshold": 0.5,
            "positive_class": 1,
            "metrics": ["roc_auc", "f1", "precision", "recall", "log_loss"],
            "primary_metric": "roc_auc",
        },
        "sandbox": {
            "mode": "landlock",
            "read_paths": ["src", dataset_rel, ".mlp/platform/p1"],
            "write_paths": [],
        },
        "project_src": "src",
        "scratch_dir": ".mlp/runs/run1",
        "platform_dir": ".mlp/platform/p1",
    }
    project = Project(root, scratch / "plan.json", plan, dataset_dir, f"sqlite:///{root}/mlflow.db")
    project.write_plan()
    return project


@dataclass
class SupervisorResult:
    """Exit code, parsed stdout events and stderr of one supervisor run."""

    code: int
    events: list[dict[str, Any]]
    stderr: str
    extra: dict[str, Any] = field(default_factory=dict)

    def event(self, name: str) -> dict[str, Any]:
        matches = [e for e in self.events if e["event"] == name]
        assert len(matches) == 1, (name, self.events, self.stderr[-3000:])
        return matches[0]


def supervisor_command(plan_path: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "mlp_platform.supervisor", str(plan_path), *extra]


def supervisor_env(project: Project, extra: dict[str, str] | None = None) -> dict[str, str]:
    """mlp's environment for the supervisor: the platform on PYTHONPATH, the store named."""
    return {
        **os.environ,
        "PYTHONPATH": str(PLATFORM_DIR),
        "MLFLOW_TRACKING_URI": project.tracking_uri,
        **(extra or {}),
    }


def parse_events(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def run_supervisor(project: Project, env: dict[str, str] | None = None) -> SupervisorResult:
    """Runs the real supervisor (cwd = project root, as mlp does) and collects its output."""
    done = subprocess.run(
        supervisor_command(project.plan_path),
        cwd=project.root,
        env=supervisor_env(project, env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    return SupervisorResult(done.returncode, parse_events(done.stdout), done.stderr)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A fresh project whose src/ trains a logistic regression; the test runs in its root, where
    the store's relative artifact locations resolve (as for any MLflow client of a project)."""
    created = make_project(tmp_path / "client")
    monkeypatch.chdir(created.root)
    return created

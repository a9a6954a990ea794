"""The run plan: the JSON file mlp writes for one run, read by the supervisor and the trainer.

Every path in the plan is relative to the project root, and the plan names no tracking store: it
is logged as the run's ``mlp/plan.json`` artifact, and a project is moved, copied, restored and
cloned by auditors, so the record must hold no machine path (and no credentials). The supervisor
runs in the project root and gets the store from ``MLFLOW_TRACKING_URI``, which mlp sets.

The plan's format is mlp's (src/contract/plan.ts): ``load_plan`` checks a plan against the schema
generated from it (``plan.schema.json``, read by ``contract``), then the rules that tie two fields
together, which JSON Schema does not carry. Standard library only: the trainer loads the plan before it
applies the sandbox and before it imports anything that starts threads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlp_platform.contract import PLAN_SCHEMA
from mlp_platform.json_schema import Invalid, is_type, validate
from mlp_platform.sandbox import MIN_ABI


class PlanError(ValueError):
    """The plan file is missing, not JSON, or has a field of the wrong shape."""


@dataclass(frozen=True)
class DatasetPlan:
    """The one verified dataset: its directory, hashes and the table files to load, in order."""

    dir: Path
    """Absolute: the project root joined with the plan's relative path."""
    hash: str
    schema_hash: str
    tables: list[str]

    def files(self) -> list[Path]:
        """The table files, inside the dataset directory."""
        return [self.dir / name for name in self.tables]


@dataclass(frozen=True)
class TrainingPlan:
    """What the trainer fits and how the supervisor scores it (protected fields included)."""

    model_type: str
    hyperparameters: dict[str, Any]
    """Each value of its spec's Python type: a `number` is a float even when JSON wrote `1`."""
    random_seed: int
    features: dict[str, Any]
    target_column: str
    date_column: str | None
    split_strategy: str
    n_splits: int
    test_fraction: float
    threshold: float
    positive_class: int | str
    """The class of the target that is the event: labels are encoded 1 for it and 0 for the other
    class, so every metric, plot and the model's probability are of this class."""
    metrics: list[str]
    primary_metric: str


@dataclass(frozen=True)
class SandboxPlan:
    """How the trainer is confined. `min_landlock_abi` can only raise the floor of 4."""

    mode: str
    read_paths: list[Path]
    write_paths: list[Path]
    min_landlock_abi: int


@dataclass(frozen=True)
class BaselinePlan:
    """The prior run mlp chose to compare with (src/outcome/): its value, its per-fold scores and,
    for a comparison over rows, a copy of its out-of-fold predictions with their sealed SHA-256."""

    run_id: str
    value: float
    fold_scores: list[float] | None
    same_folds: bool
    folds_differ: list[str]
    oof_path: Path | None
    """Absolute once loaded."""
    oof_sha256: str | None


@dataclass(frozen=True)
class ComparisonPlan:
    """What the run's outcome is judged against (docs/outcome.md)."""

    metric: str
    direction: str
    min_effect: float
    confidence: float
    baseline: BaselinePlan | None
    better_elsewhere: dict[str, Any] | None


def _comparison(raw: dict[str, Any] | None, root: Path) -> ComparisonPlan | None:
    if raw is None:
        return None
    base = raw["baseline"]
    baseline = None
    if base is not None:
        oof = base["oof"]
        baseline = BaselinePlan(
            run_id=base["run_id"],
            value=float(base["value"]),
            fold_scores=None if base["fold_scores"] is None else [float(v) for v in base["fold_scores"]],
            same_folds=base["same_folds"],
            folds_differ=list(base["folds_differ"]),
            oof_path=None if oof is None else root / oof["path"],
            oof_sha256=None if oof is None else oof["sha256"],
        )
    return ComparisonPlan(
        metric=raw["metric"],
        direction=raw["direction"],
        min_effect=float(raw["min_effect"]),
        confidence=float(raw["confidence"]),
        baseline=baseline,
        better_elsewhere=raw["better_elsewhere"],
    )


@dataclass(frozen=True)
class Plan:
    """A whole run plan, as loaded from `path` for the project at `project_root`; its paths are
    absolute once loaded."""

    path: Path
    project_root: Path
    experiment_name: str
    run_name: str | None
    tags: dict[str, str]
    params: dict[str, str]
    dataset: DatasetPlan
    training: TrainingPlan
    sandbox: SandboxPlan
    project_src: Path
    scratch_dir: Path
    platform_dir: Path
    comparison: ComparisonPlan | None = None

    @property
    def out_dir(self) -> Path:
        """Where the trainer writes its results."""
        return self.scratch_dir / "out"

    def trainer_paths(self) -> tuple[list[str], list[str]]:
        """(readable, writable) paths of the sandboxed trainer: the plan's lists plus what it always
        needs, the project source, the dataset and the platform code to read, scratch to write."""
        read = [*self.sandbox.read_paths, self.project_src, self.dataset.dir, self.platform_dir]
        write = [*self.sandbox.write_paths, self.scratch_dir]
        return list(dict.fromkeys(map(str, read))), list(dict.fromkeys(map(str, write)))


def _refusal(path: Path, field: str, clause: str) -> PlanError:
    return PlanError(f'plan "{path}": field "{field}" {clause}')


def _typed_hyperparameters(path: Path, training: dict[str, Any]) -> dict[str, Any]:
    """`training.hyperparameters`, each value converted to the Python type of its spec type in
    `training.hyperparameter_types` (mlp writes both; JSON alone cannot tell 1.0 from 1)."""
    values: dict[str, Any] = training["hyperparameters"]
    type_of: dict[str, str] = training["hyperparameter_types"]
    missing = [name for name in values if name not in type_of]
    if missing:
        raise _refusal(
            path,
            "training.hyperparameter_types",
            f'must name the type of every hyperparameter, missing "{missing[0]}"',
        )
    extra = [name for name in type_of if name not in values]
    if extra:
        raise _refusal(
            path, "training.hyperparameter_types", f'names "{extra[0]}", which is not in "training.hyperparameters"'
        )
    typed: dict[str, Any] = {}
    for name, value in values.items():
        spec_type = type_of[name]
        # The spec types are JSON Schema's type names.
        if not is_type(value, spec_type):
            kind = f"{'an' if spec_type == 'integer' else 'a'} {spec_type}"
            raise _refusal(
                path, f"training.hyperparameters.{name}", f"must be {kind}, got {json.dumps(value, ensure_ascii=False)}"
            )
        typed[name] = float(value) if spec_type == "number" else value
    return typed


def shown_class(value: object) -> str:
    """A class of the target as the configs write it: a string in double quotes, a number bare."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _check_rules(path: Path, training: dict[str, Any]) -> None:
    """The rules that tie two fields of `training` together (the refinements of mlp's schema)."""
    if training["primary_metric"] not in training["metrics"]:
        raise _refusal(
            path,
            "training.primary_metric",
            f'("{training["primary_metric"]}") must be one of "training.metrics"',
        )
    if training["split_strategy"] == "temporal_split" and training["date_column"] is None:
        raise _refusal(path, "training.date_column", "must be a non-empty string, got null")


def load_plan(path: Path, project_root: Path) -> Plan:
    """Reads and validates a plan file; raises PlanError naming the file and the field.

    The plan's relative paths are resolved against `project_root` (the supervisor runs in it; the
    trainer, which runs in its scratch directory, is given it)."""
    path, root = path.absolute(), project_root.absolute()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PlanError(f'plan "{path}" cannot be read: {error}') from error
    try:
        fields: dict[str, Any] = validate(PLAN_SCHEMA, raw)
    except Invalid as error:
        raise PlanError(f'plan "{path}": {error}') from None
    data, train, box = fields["dataset"], fields["training"], fields["sandbox"]
    hyperparameters = _typed_hyperparameters(path, train)
    _check_rules(path, train)
    dataset = DatasetPlan(
        dir=root / data["dir"], hash=data["hash"], schema_hash=data["schema_hash"], tables=data["tables"]
    )
    training = TrainingPlan(
        model_type=train["model_type"],
        hyperparameters=hyperparameters,
        random_seed=train["random_seed"],
        features=train["features"],
        target_column=train["target_column"],
        date_column=train["date_column"],
        split_strategy=train["split_strategy"],
        n_splits=train["n_splits"],
        test_fraction=float(train["test_fraction"]),
        threshold=float(train["threshold"]),
        positive_class=train["positive_class"],
        metrics=train["metrics"],
        primary_metric=train["primary_metric"],
    )
    sandbox = SandboxPlan(
        mode=box["mode"],
        read_paths=[root / item for item in box["read_paths"]],
        write_paths=[root / item for item in box["write_paths"]],
        min_landlock_abi=box.get("min_landlock_abi", MIN_ABI),
    )
    return Plan(
        path=path,
        project_root=root,
        experiment_name=fields["experiment_name"],
        run_name=fields["run_name"],
        tags=fields["tags"],
        params=fields["params"],
        dataset=dataset,
        training=training,
        sandbox=sandbox,
        project_src=root / fields["project_src"],
        scratch_dir=root / fields["scratch_dir"],
        platform_dir=root / fields["platform_dir"],
        comparison=_comparison(fields["comparison"], root),
    )

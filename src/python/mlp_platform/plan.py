"""The run plan: the JSON file mlp writes for one run, read by the supervisor and the trainer.

Every path in the plan is relative to the project root, and the plan names no tracking store: it
is logged as the run's ``mlp/plan.json`` artifact, and a project is moved, copied, restored and
cloned by auditors, so the record must hold no machine path (and no credentials). The supervisor
runs in the project root and gets the store from ``MLFLOW_TRACKING_URI``, which mlp sets.

Standard library only: the trainer loads the plan before it applies the sandbox and before it
imports anything that starts threads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, cast

PLAN_VERSION = 2
SPLIT_STRATEGIES = ("stratified_kfold", "temporal_split")
KNOWN_METRICS = ("roc_auc", "pr_auc", "log_loss", "brier", "f1", "precision", "recall", "accuracy")
"""Metrics the supervisor can compute from out-of-fold predictions."""
SANDBOX_MODES = ("landlock", "none")
HYPERPARAMETER_TYPES = ("integer", "number", "string", "boolean")
"""The spec types of project_standards.yaml; each hyperparameter reaches build_model as its type."""


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


class _Fields:
    """Typed access to one JSON object, naming the dotted field in every error."""

    def __init__(self, source: Path, prefix: str, obj: object) -> None:
        if not isinstance(obj, dict):
            raise PlanError(f'plan "{source}": field "{prefix or "(root)"}" must be an object')
        self.source, self.prefix, self.obj = source, prefix, obj

    def _fail(self, key: str, expected: str) -> PlanError:
        value = json.dumps(self.obj.get(key), ensure_ascii=False)
        return PlanError(f'plan "{self.source}": field "{self.prefix}{key}" must be {expected}, got {value}')

    def refuse(self, key: str, clause: str) -> PlanError:
        return PlanError(f'plan "{self.source}": field "{self.prefix}{key}" {clause}')

    def get(self, key: str, expected: str, ok: Any) -> Any:
        value = self.obj.get(key)
        if not ok(value):
            raise self._fail(key, expected)
        return value

    def text(self, key: str, *, optional: bool = False, choices: tuple[str, ...] = ()) -> Any:
        expected = f"one of {', '.join(choices)}" if choices else "a non-empty string"
        return self.get(
            key,
            expected + (" or null" if optional else ""),
            lambda v: (optional and v is None) or (isinstance(v, str) and v != "" and (not choices or v in choices)),
        )

    def path(self, key: str, root: Path) -> Path:
        """A project-relative path (no leading "/", no ".."), made absolute against `root`."""
        return root / str(self.get(key, "a path relative to the project root", _is_relative_path))

    def paths(self, key: str, root: Path) -> list[Path]:
        values = self.get(
            key,
            "a list of paths relative to the project root",
            lambda v: isinstance(v, list) and all(_is_relative_path(x) for x in v),
        )
        return [root / value for value in values]

    def integer(self, key: str, minimum: int, default: int | None = None) -> int:
        if default is not None and self.obj.get(key) is None:
            return default
        return int(
            self.get(
                key,
                f"an integer >= {minimum}",
                lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= minimum,
            )
        )

    def number(self, key: str, low: float, high: float, default: float | None = None) -> float:
        if default is not None and self.obj.get(key) is None:
            return default
        return float(
            self.get(
                key,
                f"a number between {low} and {high} (exclusive)",
                lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and low < v < high,
            )
        )

    def str_map(self, key: str) -> dict[str, str]:
        return cast(
            "dict[str, str]",
            self.get(
                key,
                "an object of strings",
                lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
            ),
        )

    def obj_map(self, key: str) -> dict[str, Any]:
        return cast("dict[str, Any]", self.get(key, "an object", lambda v: isinstance(v, dict)))

    def str_list(self, key: str, choices: tuple[str, ...] = ()) -> list[str]:
        expected = f"a list of {', '.join(choices)}" if choices else "a list of strings"
        return cast(
            "list[str]",
            self.get(
                key,
                expected,
                lambda v: isinstance(v, list) and all(isinstance(x, str) and (not choices or x in choices) for x in v),
            ),
        )

    def sub(self, key: str) -> _Fields:
        return _Fields(self.source, f"{self.prefix}{key}.", self.obj.get(key))


def _is_relative_path(value: object) -> bool:
    """A non-empty POSIX path below its base: not absolute, no "..", no backslash."""
    if not isinstance(value, str) or value == "" or value.startswith("/") or "\\" in value:
        return False
    return ".." not in PurePosixPath(value).parts


def _is_of_type(value: object, spec_type: str) -> bool:
    if isinstance(value, bool):
        return spec_type == "boolean"
    if spec_type == "integer":
        return isinstance(value, int)
    if spec_type == "number":
        return isinstance(value, (int, float))
    return spec_type == "string" and isinstance(value, str)


def _typed_hyperparameters(train: _Fields) -> dict[str, Any]:
    """`training.hyperparameters`, each value converted to the Python type of its spec type in
    `training.hyperparameter_types` (mlp writes both; JSON alone cannot tell 1.0 from 1)."""
    values = train.obj_map("hyperparameters")
    type_of = train.obj_map("hyperparameter_types")
    missing = [name for name in values if name not in type_of]
    if missing:
        raise train.refuse(
            "hyperparameter_types", f'must name the type of every hyperparameter, missing "{missing[0]}"'
        )
    extra = [name for name in type_of if name not in values]
    if extra:
        raise train.refuse("hyperparameter_types", f'names "{extra[0]}", which is not in "training.hyperparameters"')
    types, given = train.sub("hyperparameter_types"), train.sub("hyperparameters")
    typed: dict[str, Any] = {}
    for name, value in values.items():
        spec_type = types.text(name, choices=HYPERPARAMETER_TYPES)
        if not _is_of_type(value, spec_type):
            raise given._fail(name, f"{'an' if spec_type == 'integer' else 'a'} {spec_type}")
        typed[name] = float(value) if spec_type == "number" else value
    return typed


def shown_class(value: object) -> str:
    """A class of the target as the configs write it: a string in double quotes, a number bare."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _positive_class(train: _Fields) -> int | str:
    """`training.positive_class`: an integer or a non-empty string, 1 when absent (as in the configs)."""
    if "positive_class" not in train.obj:
        return 1
    return cast(
        "int | str",
        train.get(
            "positive_class",
            "an integer or a non-empty string",
            lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, str) and v != ""),
        ),
    )


def _is_table_name(name: str) -> bool:
    return _is_relative_path(name)


def load_plan(path: Path, project_root: Path) -> Plan:
    """Reads and validates a plan file; raises PlanError naming the file and the field.

    The plan's relative paths are resolved against `project_root` (the supervisor runs in it; the
    trainer, which runs in its scratch directory, is given it)."""
    path, root = path.absolute(), project_root.absolute()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PlanError(f'plan "{path}" cannot be read: {error}') from error
    fields = _Fields(path, "", raw)
    fields.get("plan_version", f"{PLAN_VERSION}", lambda v: v == PLAN_VERSION)
    data, train, box = fields.sub("dataset"), fields.sub("training"), fields.sub("sandbox")
    split = train.text("split_strategy", choices=SPLIT_STRATEGIES)
    dataset = DatasetPlan(
        dir=data.path("dir", root),
        hash=data.text("hash"),
        schema_hash=data.text("schema_hash"),
        tables=data.get(
            "tables",
            "a non-empty list of file names inside the dataset directory",
            lambda v: isinstance(v, list) and v != [] and all(isinstance(x, str) and _is_table_name(x) for x in v),
        ),
    )
    training = TrainingPlan(
        model_type=train.text("model_type"),
        hyperparameters=_typed_hyperparameters(train),
        random_seed=train.integer("random_seed", 0),
        features=train.obj_map("features"),
        target_column=train.text("target_column"),
        date_column=train.text("date_column", optional=split != "temporal_split"),
        split_strategy=split,
        n_splits=train.integer("n_splits", 2, default=5),
        test_fraction=train.number("test_fraction", 0, 1, 0.2),
        threshold=train.number("threshold", 0, 1, 0.5),
        positive_class=_positive_class(train),
        metrics=train.str_list("metrics", KNOWN_METRICS),
        primary_metric=train.text("primary_metric", choices=KNOWN_METRICS),
    )
    if training.primary_metric not in training.metrics:
        raise PlanError(
            f'plan "{path}": field "training.primary_metric" ("{training.primary_metric}") '
            'must be one of "training.metrics"'
        )
    sandbox = SandboxPlan(
        mode=box.text("mode", choices=SANDBOX_MODES),
        read_paths=box.paths("read_paths", root),
        write_paths=box.paths("write_paths", root),
        min_landlock_abi=box.integer("min_landlock_abi", 1, default=4),
    )
    return Plan(
        path=path,
        project_root=root,
        experiment_name=fields.text("experiment_name"),
        run_name=fields.text("run_name", optional=True),
        tags=fields.str_map("tags"),
        params=fields.str_map("params"),
        dataset=dataset,
        training=training,
        sandbox=sandbox,
        project_src=fields.path("project_src", root),
        scratch_dir=fields.path("scratch_dir", root),
        platform_dir=fields.path("platform_dir", root),
    )

"""The run's logged model: the trainer writes the final estimator, the supervisor builds the MLflow
model around it, and neither loads it nor any project code.

The trainer saves the fitted estimator with skops (MLflow's safe format) and names the types it
holds, which are scikit-learn's plus XGBoost's or LightGBM's classifier (``model_check`` admits no
other); the supervisor, once the trainer has exited, saves an MLflow pyfunc whose code is
``raw_model.py`` ("models from code": nothing is pickled), with the estimator, the run's feature
settings, the run's code snapshot (code_paths), the dataset's columns as input signature and the
run's uv.lock as environment (``model_env``). MLflow runs ``raw_model.py`` when it saves it, which
defines the model class and imports no project code; the project's features are imported only
when someone loads the model (``raw_model``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import warnings
from pathlib import Path
from typing import Any

from mlp_platform.model_env import locked_requirements, stage_lock
from mlp_platform.plan import Plan

ESTIMATOR_FILE = "estimator.skops"
"""The trainer's final estimator in its ``out/`` directory, and the model's artifact file name."""
SETTINGS_FILE = "model_settings.json"
"""The model's settings artifact (``raw_model.SETTINGS_KEYS``)."""
RAW_MODEL_CODE = Path(__file__).with_name("raw_model.py")
# raw_model.py is not imported here: MLflow runs it as the model's code, and its names are its own.
ESTIMATOR_ARTIFACT, SETTINGS_ARTIFACT = "estimator", "settings"
METADATA_PARAMS = ("dataset_hash", "dataset_schema_hash", "feature_pipeline_hash", "dependency_lock_hash")
"""Params of the run that the model's metadata repeats, so that the model says what made it."""


class ModelExportError(Exception):
    """The model cannot be built from what the run holds; the message says why and how."""


def preload() -> None:
    """Imports what save_estimator needs, so the import cost is paid while the supervisor is busy."""
    import pyarrow.ipc  # noqa: F401
    import sklearn.pipeline  # noqa: F401
    import skops.io  # noqa: F401


def save_estimator(estimator: object, path: Path) -> list[str]:
    """Writes the fitted `estimator` to `path` with skops; returns the types it holds that skops
    does not trust by default, which the model's loader trusts (and no other)."""
    import skops.io

    data = skops.io.dumps(estimator)
    path.write_bytes(data)
    return sorted(skops.io.get_untrusted_types(data=data))


def input_columns(schema_json: bytes, target_column: str) -> list[dict[str, str]]:
    """The model's input: the dataset's columns (schema.json) less the target, with their dtypes."""
    columns = json.loads(schema_json)["columns"]
    return [{"name": str(c["name"]), "dtype": str(c["dtype"])} for c in columns if c["name"] != target_column]


def input_schema(columns: list[dict[str, str]]) -> Any:
    """MLflow's input schema of `columns`, every column required. An integer column is declared
    ``any``: MLflow refuses a missing value in a ``long`` column (pandas holds it as a float) and an
    integer in a ``double`` one, and the model rebuilds the integer dtype itself
    (``raw_model.restore_dtypes``). Text, dates and numbers keep their MLflow types, which accept a
    missing value."""
    from mlflow.types import ColSpec, Schema, TensorSpec
    from mlflow.types.schema import AnyType

    from mlp_platform.mlflow_fields import mlflow_type

    specs: list[ColSpec | TensorSpec] = []
    for column in columns:
        kind = mlflow_type(column["dtype"])
        specs.append(ColSpec(AnyType() if kind in ("integer", "long") else kind, column["name"]))  # type: ignore[no-untyped-call]
    return Schema(specs)


def _dataset_schema(plan: Plan) -> bytes:
    """The dataset's schema.json, when it is the plan's (``dataset_schema_hash``)."""
    file = plan.dataset.dir / "schema.json"
    data = file.read_bytes()
    found = hashlib.sha256(data).hexdigest()
    if found != plan.dataset.schema_hash:
        raise ModelExportError(
            f'"{file}" has SHA-256 "{found}", not the plan\'s dataset_schema_hash "{plan.dataset.schema_hash}": '
            "re-add the dataset with mlp data add"
        )
    return data


def model_metadata(plan: Plan, classes: list[Any]) -> dict[str, Any]:
    """The MLmodel's metadata: `classes` ([negative, positive]), the positive class, the target
    column, and the run's hashes of ``METADATA_PARAMS``."""
    hashes = {key: plan.params[key] for key in METADATA_PARAMS if key in plan.params}
    return {
        "positive_class": classes[1],
        "classes": classes,
        "target_column": plan.training.target_column,
        "output": "probability of the positive class",
        **hashes,
    }


def save_raw_model(plan: Plan, model_dir: Path, staging: Path) -> None:
    """Saves the run's MLflow model at `model_dir` from the trainer's ``out/`` (the estimator and
    result.json), the plan's feature settings, the dataset's schema, the code snapshot and the
    project's uv.lock; `staging` is a scratch directory for the files it assembles."""
    import mlflow.pyfunc
    import numpy
    from mlflow.models import ModelSignature
    from mlflow.types import Schema, TensorSpec

    if plan.project_src.name != "src":
        raise ModelExportError(f'the code snapshot "{plan.project_src}" must be a folder named "src"')
    out = plan.out_dir
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    columns = input_columns(_dataset_schema(plan), plan.training.target_column)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    settings = {
        "features": plan.training.features,
        "input_columns": columns,
        "feature_names": result["feature_names"],
        "skops_trusted_types": result["skops_trusted_types"],
    }
    (staging / SETTINGS_FILE).write_text(json.dumps(settings, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    environment = stage_lock(plan, staging / "environment")
    signature = ModelSignature(
        inputs=input_schema(columns), outputs=Schema([TensorSpec(numpy.dtype(numpy.float64), (-1,))])
    )
    shutil.rmtree(model_dir, ignore_errors=True)
    # Client environments are made by uv and have no pip, so MLflow would warn that conda.yaml's pip
    # is unpinned; it would also say that it copies the uv files (mlp's doing) and that no input
    # example is saved (saving one would load the model, and so run project code, here).
    for name in ("mlflow.utils.environment", "mlflow.utils.uv_utils"):
        logging.getLogger(name).setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.pyfunc.save_model(
            str(model_dir),
            python_model=str(RAW_MODEL_CODE),
            artifacts={ESTIMATOR_ARTIFACT: str(out / ESTIMATOR_FILE), SETTINGS_ARTIFACT: str(staging / SETTINGS_FILE)},
            code_paths=[str(plan.project_src)],
            signature=signature,
            pip_requirements=locked_requirements(environment),
            metadata=model_metadata(plan, result["classes"]),
            uv_project_path=str(environment),
        )
    # MLflow copies the uv files unless MLFLOW_LOG_UV_FILES says no; the model's lock is not optional.
    for name in (p.name for p in environment.iterdir()):
        if not (model_dir / name).is_file():
            shutil.copyfile(environment / name, model_dir / name)
    _drop_machine_paths(model_dir)


def _drop_machine_paths(model_dir: Path) -> None:
    """MLflow writes into MLmodel the absolute paths the model's code and artifacts were copied
    from; a record holds no machine path, and loading reads only their place in the model (the code
    file by its name, each artifact by its ``path``), so those become the paths inside the model."""
    from mlflow.models import Model

    file = model_dir / "MLmodel"
    model = Model.load(str(file))
    conf = model.flavors["python_function"]
    conf["model_code_path"] = RAW_MODEL_CODE.name
    for entry in conf["artifacts"].values():
        entry["uri"] = entry["path"]
    model.save(str(file))

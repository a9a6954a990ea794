"""The logged model's own code: an MLflow pyfunc that scores raw rows of the dataset.

MLflow saves this file into the model directory as its code ("models from code": nothing is
pickled) and runs it wherever the model is loaded, so it imports only the standard library, numpy,
pandas, skops and MLflow, never the rest of ``mlp_platform`` (which a serving environment does not
have). ``mlflow.pyfunc.load_model(uri).predict(rows)`` takes a DataFrame with the dataset's
columns (the target may be absent; a column the model does not know is ignored, a column it needs
and does not get is refused), rebuilds the dtypes the columns had in training, applies the
project's ``build_features`` with the run's feature settings and returns the estimator's
probability of the positive class, one float per row.

The project's feature code is the run's code snapshot, in the model's ``code/src/`` (MLflow's
code_paths), imported when the model is loaded: loading this model runs the project's code of the
run, as scoring with it must. The processes of ``mlp run`` that write the model (trainer and
supervisor) never load it (docs/architecture.md, "Who holds what"). Layout of the model directory:
``MLmodel``, ``raw_model.py``, ``code/src/`` (the snapshot), ``artifacts/estimator.skops`` (the
final estimator, loaded trusting exactly the types listed in the settings),
``artifacts/model_settings.json`` (``SETTINGS_KEYS``), ``requirements.txt``, ``python_env.yaml``,
``conda.yaml``, ``uv.lock`` and ``pyproject.toml`` (the run's).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import mlflow.models
import numpy
import pandas
from mlflow.pyfunc.model import PythonModel, PythonModelContext

ESTIMATOR_ARTIFACT = "estimator"
"""The artifact name of the final estimator (skops), ``artifacts/estimator.skops``."""
SETTINGS_ARTIFACT = "settings"
"""The artifact name of the model's settings (JSON), ``artifacts/model_settings.json``."""
SETTINGS_KEYS = ("features", "input_columns", "feature_names", "skops_trusted_types")
"""``features``: the run's ``features`` section (plan.training.features), passed to build_features;
``input_columns``: ``[{"name", "dtype"}]``, the dataset's columns less the target, with their
pandas dtypes in training; ``feature_names``: the columns build_features made in training, in order;
``skops_trusted_types``: the types ``estimator.skops`` may hold."""
PROJECT_CODE = ("code", "src")
"""Where the project's source lies in the model directory (code_paths copies the snapshot there)."""

_INTEGER_KINDS = ("i", "u")


class ScoringRefused(ValueError):
    """The rows cannot be scored as given; the message names the column and the fix."""


def restore_dtypes(rows: pandas.DataFrame, columns: list[dict[str, str]]) -> pandas.DataFrame:
    """The input columns of `rows`, in training order and with their training dtypes: an integer
    column holding a missing value is float (as pandas holds it), a boolean one stays as given.
    Columns not listed are dropped; a listed column that is absent is refused."""
    missing = [c["name"] for c in columns if c["name"] not in rows.columns]
    if missing:
        raise ScoringRefused(
            f"the rows lack the column(s) {missing} of the model's input: pass every column of the dataset "
            "but the target"
        )
    frame = rows[[c["name"] for c in columns]].reset_index(drop=True)
    for column in columns:
        name, dtype = column["name"], column["dtype"]
        values = frame[name]
        kind = _numpy_kind(dtype)
        try:
            if kind in _INTEGER_KINDS:
                frame[name] = _integers(values, dtype)
            elif not (kind == "b" and values.isna().any()):
                frame[name] = values.astype(dtype)
        except (TypeError, ValueError) as error:
            raise ScoringRefused(
                f'column "{name}" cannot be read as {dtype}, its type in training ({error}): pass values of that type'
            ) from error
    return frame


def _numpy_kind(dtype: str) -> str:
    """numpy's kind letter of `dtype`; empty for a pandas extension dtype ("string", "category", ...)."""
    try:
        return str(numpy.dtype(dtype).kind)
    except TypeError:
        return ""


def _integers(values: pandas.Series, dtype: str) -> pandas.Series:
    """An integer column: `dtype` when every value is a whole number, float when one is missing (as
    pandas holds a missing integer); a fraction is refused rather than truncated."""
    numbers = pandas.to_numeric(values)
    if numbers.isna().any():
        return numbers.astype(numpy.float64)
    if not bool((numbers % 1 == 0).all()):
        raise ValueError("a value is not a whole number")
    return numbers.astype(dtype)


def _import_build_features(src: Path) -> Any:
    """The project's build_features from the model's own copy of its source. The module gets a name
    of its own, so a ``features`` module imported before (another model's, the caller's) is not it;
    `src` goes first on ``sys.path`` for the project modules it imports."""
    sys.path.insert(0, str(src))
    name = f"mlp_model_features_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, src / "features.py")
    if spec is None or spec.loader is None:
        raise ScoringRefused(f'the model has no project feature code at "{src / "features.py"}"')
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    build = getattr(module, "build_features", None)
    if not callable(build):
        raise ScoringRefused(f'"{src / "features.py"}" defines no build_features()')
    return build


class RawRowsModel(PythonModel):
    """Raw rows in, the positive class's probability out (see the module's doc)."""

    def load_context(self, context: PythonModelContext) -> None:
        """Loads the settings, the estimator (skops, trusting only the settings' types) and the
        project's build_features from the model directory."""
        import skops.io

        settings_file = Path(context.artifacts[SETTINGS_ARTIFACT])
        self.settings: dict[str, Any] = json.loads(settings_file.read_text(encoding="utf-8"))
        self.estimator: Any = skops.io.load(
            context.artifacts[ESTIMATOR_ARTIFACT], trusted=list(self.settings["skops_trusted_types"])
        )
        self.positive_column = [int(c) for c in self.estimator.classes_].index(1)
        model_dir = settings_file.parent.parent
        self.build_features = _import_build_features(model_dir.joinpath(*PROJECT_CODE))

    def features(self, rows: pandas.DataFrame) -> pandas.DataFrame:
        """The feature matrix of `rows` as in training: the same columns in the same order."""
        frame = restore_dtypes(rows, self.settings["input_columns"])
        built = self.build_features(frame, copy.deepcopy(self.settings["features"]))
        if not isinstance(built, pandas.DataFrame) or len(built) != len(frame):
            raise ScoringRefused(
                f"build_features() returned {type(built).__name__} for {len(frame)} rows: it must return a "
                "DataFrame with one row per input row"
            )
        built = built.reset_index(drop=True)
        built.columns = [str(c) for c in built.columns]
        names: list[str] = self.settings["feature_names"]
        if list(built.columns) != names:
            lacking = [n for n in names if n not in built.columns]
            extra = [n for n in built.columns if n not in names]
            raise ScoringRefused(
                f"build_features() made columns other than in training (missing {lacking[:10]}, new {extra[:10]}): "
                "it must make the same columns for any rows (a fixed list of values for each text column), since "
                "the estimator scores only the columns it was trained on"
            )
        return built

    def predict(
        self, context: PythonModelContext, model_input: pandas.DataFrame, params: dict[str, Any] | None = None
    ) -> numpy.ndarray:
        """The probability of the positive class for each row of `model_input`."""
        rows = model_input if isinstance(model_input, pandas.DataFrame) else pandas.DataFrame(model_input)
        scores = self.estimator.predict_proba(self.features(rows))[:, self.positive_column]
        return numpy.asarray(scores, dtype=numpy.float64)


mlflow.models.set_model(RawRowsModel())

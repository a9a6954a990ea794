"""The trainer's work once it is sandboxed: load, build features, fit per split, write results.

Project code is called for two things only: ``features.build_features(df, params)`` returns the
feature frame, ``model.build_model(model_type, hyperparameters, random_seed)`` returns an unfitted
estimator. Every fit and prediction happens here, on a fresh clone of that estimator, so project
code cannot choose what it is trained or scored on.
"""

from __future__ import annotations

import copy
import importlib
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy
import pandas
from sklearn.base import clone

from mlp_platform import splits
from mlp_platform.dataset import load_table, schema_hash
from mlp_platform.model_export import save_model
from mlp_platform.plan import Plan, shown_class
from mlp_platform.project_import import use_source_only

LATENCY_BATCH_ROWS = 1000
LATENCY_REPEATS = 20


class TrainingRefused(Exception):
    """The data or the project code does not meet the platform's contract; the message says how."""


def _is_class(value: object, positive_class: int | str) -> bool:
    """Exact: the string "1" is not the number 1 (a number class may be stored as 1.0 or True)."""
    if isinstance(positive_class, str):
        return isinstance(value, str) and value == positive_class
    return isinstance(value, (int, float)) and value == positive_class


def _class_order(value: object) -> tuple[bool, float, str]:
    """Numbers by value, then strings: a column whose values are of mixed kinds still sorts."""
    if isinstance(value, (int, float)):
        return (False, float(value), "")
    return (True, 0.0, str(value))


def _binary_target(values: pandas.Series, positive_class: int | str) -> tuple[numpy.ndarray, list[Any]]:
    """Encodes the target as 1 for `positive_class` and 0 for the other class; returns the labels
    and the classes as [negative, positive]."""
    if values.isna().any():
        raise TrainingRefused(f'target column "{values.name}" has {int(values.isna().sum())} missing values')
    classes = sorted(values.unique().tolist(), key=_class_order)
    if len(classes) != 2:
        raise TrainingRefused(f'target column "{values.name}" must have exactly two classes, found {classes[:10]}')
    positive = [c for c in classes if _is_class(c, positive_class)]
    if not positive:
        found = f"{shown_class(classes[0])} and {shown_class(classes[1])}"
        raise TrainingRefused(
            f"protected.positive_class is {shown_class(positive_class)}, which is not one of the two classes of "
            f'target column "{values.name}", {found}: set it to the class of the event the model predicts '
            "(a string in quotes, a number without)"
        )
    negative = classes[1 - classes.index(positive[0])]
    return (values == positive[0]).to_numpy().astype(int), [negative, positive[0]]


def _project_functions(project_src: Path) -> tuple[Any, Any]:
    """Imports build_features and build_model from the project's features.py and model.py, and
    whatever they import from the project, from source only (never a cached or sourceless .pyc)."""
    use_source_only(project_src)
    found = []
    for module_name, function in (("features", "build_features"), ("model", "build_model")):
        module = importlib.import_module(module_name)
        if not callable(getattr(module, function, None)):
            raise TrainingRefused(f'"{project_src / (module_name + ".py")}" must define {function}()')
        found.append(getattr(module, function))
    return found[0], found[1]


def _build_features(build: Any, raw: pandas.DataFrame, params: dict[str, Any]) -> pandas.DataFrame:
    # Copies: project code must not be able to change what the platform goes on to use.
    features = build(raw.copy(), copy.deepcopy(params))
    if not isinstance(features, pandas.DataFrame) or len(features) != len(raw):
        raise TrainingRefused(
            f"build_features() must return a DataFrame with one row per input row ({len(raw)}), "
            f"got {type(features).__name__} with {len(features) if hasattr(features, '__len__') else '?'} rows"
        )
    return features.reset_index(drop=True)


def _folds(plan: Plan, raw: pandas.DataFrame, y: numpy.ndarray) -> list[splits.Fold]:
    training = plan.training
    if training.split_strategy == "stratified_kfold":
        return splits.stratified_kfold(y, training.n_splits, training.random_seed)
    if training.date_column not in raw.columns:
        raise TrainingRefused(f'date column "{training.date_column}" is not in the dataset')
    return splits.temporal_split(raw[training.date_column], training.test_fraction)


def _importances(estimator: Any, names: list[str]) -> dict[str, float]:
    """Feature importances, or |coefficients| for linear models; empty when neither exists."""
    last = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    values = getattr(last, "feature_importances_", None)
    if values is None and getattr(last, "coef_", None) is not None:
        values = numpy.abs(numpy.asarray(last.coef_)).reshape(-1)
    if values is None:
        return {}
    values = numpy.asarray(values, dtype=float).reshape(-1)
    labels = names if len(names) == len(values) else [f"feature_{i}" for i in range(len(values))]
    return {label: float(value) for label, value in zip(labels, values, strict=True)}


def _latency_ms(estimator: Any, features: pandas.DataFrame) -> float:
    """Median wall time of predicting one 1,000-row batch (rows repeat if the data is smaller)."""
    batch = features.iloc[numpy.arange(LATENCY_BATCH_ROWS) % len(features)]
    timings = []
    for _ in range(LATENCY_REPEATS):
        start = time.perf_counter()
        estimator.predict_proba(batch)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def run_training(plan: Plan) -> None:
    """Loads the plan's dataset, fits per the protected split, and writes the result files into
    ``<scratch>/out``: result.json, oof.parquet, importance.json and model/ (an MLflow model)."""
    training, out = plan.training, plan.out_dir
    df = load_table(plan.dataset.files())
    found = schema_hash(df)
    if found != plan.dataset.schema_hash:
        raise TrainingRefused(
            f'the loaded dataset "{plan.dataset.dir}" has schema hash "{found}", but the plan expects '
            f'"{plan.dataset.schema_hash}": re-add the dataset with mlp data add'
        )
    if training.target_column not in df.columns:
        raise TrainingRefused(f'target column "{training.target_column}" is not in the dataset')
    y, classes = _binary_target(df[training.target_column], training.positive_class)
    raw = df.drop(columns=[training.target_column])
    build_features, build_model = _project_functions(plan.project_src)
    features = _build_features(build_features, raw, training.features)
    prototype = build_model(training.model_type, copy.deepcopy(training.hyperparameters), training.random_seed)
    if not hasattr(prototype, "predict_proba"):
        raise TrainingRefused("build_model() must return a classifier with predict_proba()")

    fit_seconds = 0.0
    oof = []
    for fold, (train_rows, test_rows) in enumerate(_folds(plan, raw, y)):
        estimator = clone(prototype)
        start = time.perf_counter()
        estimator.fit(features.iloc[train_rows], y[train_rows])
        fit_seconds += time.perf_counter() - start
        scores = estimator.predict_proba(features.iloc[test_rows])[:, 1]
        oof.append(pandas.DataFrame({"row": test_rows, "y_true": y[test_rows], "y_score": scores, "fold": fold}))
        print(
            f"trainer: fold {fold} fitted on {len(train_rows)} rows in {time.perf_counter() - start:.2f} s, "
            f"scored {len(test_rows)}",
            file=sys.stderr,
        )
    final = clone(prototype)
    start = time.perf_counter()
    final.fit(features, y)
    fit_seconds += time.perf_counter() - start

    names = [str(c) for c in features.columns]
    pandas.concat(oof, ignore_index=True).sort_values("row").to_parquet(out / "oof.parquet", index=False)
    (out / "importance.json").write_text(json.dumps(_importances(final, names), indent=1))
    save_model(final, features.head(5), out / "model", plan.project_src, classes)
    result = {
        "rows": len(df),
        "columns": len(df.columns),
        "training_time_s": fit_seconds,
        "inference_latency_ms": _latency_ms(final, features),
        "feature_names": names,
        "classes": classes,
    }
    (out / "result.json").write_text(json.dumps(result, indent=1))

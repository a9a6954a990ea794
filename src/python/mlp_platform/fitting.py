"""The trainer's work once it is sandboxed: load, get the features, fit per split, write results.

This process never imports project code. It reads the verified dataset itself, and the feature
stage (``stages``, forked before that read) runs the project's two functions on the dataset less
its target: ``features.build_features(df, params)`` returns the feature frame,
``model.build_model(model_type, hyperparameters, random_seed)`` an unfitted estimator. Every fit
and prediction happens here, on a fresh clone of that estimator, and every file that is scored or
logged (oof.parquet, importance.json, estimator.skops, result.json) is written here, after every process of
project code is dead: project code cannot choose what it is trained or scored on, nor what is
recorded.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import TYPE_CHECKING, Any

import numpy
import pandas
from sklearn.base import clone

from mlp_platform import data_summary, splits
from mlp_platform.dataset import read_verified, schema_hash
from mlp_platform.model_export import ESTIMATOR_FILE, save_estimator
from mlp_platform.plan import Plan, shown_class
from mlp_platform.project_import import assert_no_project_modules

if TYPE_CHECKING:
    from mlp_platform.stages import FeatureStage

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


def run_training(plan: Plan, stage: FeatureStage) -> None:
    """Loads the plan's dataset, has `stage` build the features and the estimator, fits per the
    protected split, and writes the result files into ``<scratch>/out``: result.json, oof.parquet,
    importance.json and estimator.skops (the final estimator, which the supervisor makes the run's
    MLflow model: ``model_export``)."""
    training, out = plan.training, plan.out_dir
    df = read_verified(plan.dataset.dir, plan.dataset.hash, plan.dataset.tables)
    found = schema_hash(df)
    if found != plan.dataset.schema_hash:
        raise TrainingRefused(
            f'the loaded dataset "{plan.dataset.dir}" has schema hash "{found}", but the plan expects '
            f'"{plan.dataset.schema_hash}": re-add the dataset with mlp data add'
        )
    # What `mlp data describe` prints, of the verified bytes trained on (logged as mlp/data_summary.json).
    summary = out / "data_summary.json"
    data_summary.write(summary, df, plan.dataset.hash, training.target_column, training.positive_class)
    if training.target_column not in df.columns:
        raise TrainingRefused(f'target column "{training.target_column}" is not in the dataset')
    y, classes = _binary_target(df[training.target_column], training.positive_class)
    raw = df.drop(columns=[training.target_column])
    folds = _folds(plan, raw, y)
    built = stage.run(raw, training.model_type, training.hyperparameters, training.random_seed)
    features, prototype = built.features, built.estimator

    fit_seconds = 0.0
    oof = []
    for fold, (train_rows, test_rows) in enumerate(folds):
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
    trusted = save_estimator(final, out / ESTIMATOR_FILE)
    assert_no_project_modules(plan.project_src)
    result = {
        "rows": len(df),
        "columns": len(df.columns),
        "training_time_s": fit_seconds,
        "inference_latency_ms": _latency_ms(final, features),
        "feature_names": names,
        "classes": classes,
        "skops_trusted_types": trusted,
    }
    (out / "result.json").write_text(json.dumps(result, indent=1))

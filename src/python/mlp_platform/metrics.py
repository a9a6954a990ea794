"""Metrics computed from out-of-fold predictions, in the supervisor only.

The trainer writes scores; it never reports a metric. Computing metrics in a process that never
imported project code is what keeps a modified ``features.py`` from reporting its own numbers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy
from sklearn import metrics as skm

from mlp_platform.contract import METRICS

Scorer = Callable[[numpy.ndarray, numpy.ndarray, float], float]

_SCORERS: dict[str, Scorer] = {
    "roc_auc": lambda y, s, t: skm.roc_auc_score(y, s),
    "pr_auc": lambda y, s, t: skm.average_precision_score(y, s),
    "log_loss": lambda y, s, t: skm.log_loss(y, s, labels=[0, 1]),
    "brier": lambda y, s, t: skm.brier_score_loss(y, s),
    "f1": lambda y, s, t: skm.f1_score(y, s >= t, zero_division=0),
    "precision": lambda y, s, t: skm.precision_score(y, s >= t, zero_division=0),
    "recall": lambda y, s, t: skm.recall_score(y, s >= t, zero_division=0),
    "accuracy": lambda y, s, t: skm.accuracy_score(y, s >= t),
}
assert tuple(_SCORERS) == METRICS, "the contract's metrics (lists.json) and the scorers must list the same names"


def compute_metrics(
    y_true: numpy.ndarray, y_score: numpy.ndarray, names: list[str], threshold: float
) -> dict[str, float]:
    """Scores binary labels (0/1) against positive-class probabilities.

    Threshold metrics (f1, precision, recall, accuracy) count a score >= threshold as positive.
    Undefined metrics (one class only) are NaN rather than an error.
    """
    y = numpy.asarray(y_true).astype(int)
    s = numpy.asarray(y_score).astype(float)
    result: dict[str, float] = {}
    for name in names:
        result[name] = float(_SCORERS[name](y, s, threshold)) if len(numpy.unique(y)) == 2 else float("nan")
    return result


def score(name: str, y_true: numpy.ndarray, y_score: numpy.ndarray, threshold: float) -> float:
    """One metric of binary labels (0/1) against positive-class probabilities; NaN when the
    labels hold one class only."""
    return compute_metrics(y_true, y_score, [name], threshold)[name]


def fold_metrics(
    y_true: numpy.ndarray, y_score: numpy.ndarray, fold: numpy.ndarray, names: list[str], threshold: float
) -> dict[str, list[float]]:
    """Each metric per fold (``fold.<name>``: the value of fold 0, 1, … in order), scored on the
    rows of that fold only."""
    folds = sorted(int(f) for f in numpy.unique(fold))
    per_fold = [compute_metrics(y_true[fold == f], y_score[fold == f], names, threshold) for f in folds]
    return {f"fold.{name}": [values[name] for values in per_fold] for name in names}

"""metrics.compute_metrics on arrays whose metrics are known by hand."""

from __future__ import annotations

import math

import numpy
import pytest

from mlp_platform.metrics import compute_metrics

Y = numpy.array([0, 0, 1, 1])
S = numpy.array([0.1, 0.6, 0.4, 0.8])


def test_ranking_and_threshold_metrics() -> None:
    result = compute_metrics(Y, S, ["roc_auc", "f1", "precision", "recall", "accuracy"], 0.5)
    # Pairs (pos, neg) ranked right: (0.4>0.1), (0.8>0.1), (0.8>0.6) = 3 of 4.
    assert result == {"roc_auc": 0.75, "f1": 0.5, "precision": 0.5, "recall": 0.5, "accuracy": 0.5}


def test_threshold_is_inclusive() -> None:
    assert compute_metrics(Y, S, ["recall"], 0.4) == {"recall": 1.0}


def test_log_loss_and_brier() -> None:
    result = compute_metrics(Y, S, ["log_loss", "brier"], 0.5)
    expected = -(math.log(0.9) + math.log(0.4) + math.log(0.4) + math.log(0.8)) / 4
    assert result["log_loss"] == pytest.approx(expected)
    assert result["brier"] == pytest.approx((0.01 + 0.36 + 0.36 + 0.04) / 4)


def test_one_class_gives_nan() -> None:
    assert math.isnan(compute_metrics(numpy.array([1, 1]), numpy.array([0.2, 0.9]), ["roc_auc"], 0.5)["roc_auc"])

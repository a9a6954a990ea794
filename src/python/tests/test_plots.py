"""plots: the ROC curve names the class it is the curve of."""

from __future__ import annotations

import numpy
import pytest

from mlp_platform.plots import roc_figure


@pytest.mark.parametrize(
    ("positive", "title"), [(1, "ROC curve, positive class 1"), ("bad", 'ROC curve, positive class "bad"')]
)
def test_the_roc_curve_names_the_positive_class(positive: object, title: str) -> None:
    figure = roc_figure(numpy.array([0, 1, 0, 1]), numpy.array([0.2, 0.7, 0.4, 0.9]), 1.0, positive)
    assert figure.axes[0].get_title() == title

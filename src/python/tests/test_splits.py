"""splits: the protected split strategies."""

from __future__ import annotations

import numpy
import pandas
import pytest

from mlp_platform.splits import stratified_kfold, temporal_split


def test_stratified_kfold_scores_every_row_once_with_stratified_folds() -> None:
    y = numpy.array([0] * 8 + [1] * 4)
    folds = stratified_kfold(y, 4, seed=1)
    tested = numpy.sort(numpy.concatenate([test for _, test in folds]))
    assert tested.tolist() == list(range(12))
    assert [int(y[test].sum()) for _, test in folds] == [1, 1, 1, 1]
    assert folds[0][0].tolist() == stratified_kfold(y, 4, seed=1)[0][0].tolist()


def test_temporal_split_tests_the_latest_dates() -> None:
    dates = pandas.Series(["2024-01-05", "2024-01-01", "2024-01-03", "2024-01-02", "2024-01-04"], name="d")
    [(train, test)] = temporal_split(dates, 0.4)
    assert (train.tolist(), test.tolist()) == ([1, 2, 3], [0, 4])


def test_temporal_split_never_puts_one_date_on_both_sides() -> None:
    dates = pandas.Series(["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-02"], name="d")
    [(train, test)] = temporal_split(dates, 0.25)
    assert (train.tolist(), test.tolist()) == ([0], [1, 2, 3])


def test_temporal_split_refuses_when_no_rows_are_left_to_train() -> None:
    with pytest.raises(ValueError, match='date column "d" leaves no training rows'):
        temporal_split(pandas.Series(["2024-01-01"] * 3, name="d"), 0.2)

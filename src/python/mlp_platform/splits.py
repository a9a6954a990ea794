"""The protected split strategies: which rows each fold trains on and is scored on."""

from __future__ import annotations

import math

import numpy
import pandas
from sklearn.model_selection import StratifiedKFold

from mlp_platform.contract import SPLIT_STRATEGIES

Fold = tuple[numpy.ndarray, numpy.ndarray]
"""(train row positions, test row positions)."""


def stratified_kfold(y: numpy.ndarray, n_splits: int, seed: int) -> list[Fold]:
    """Shuffled stratified k-fold: every row is scored once, by a model that did not see it."""
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return [(train, test) for train, test in splitter.split(numpy.zeros(len(y)), y)]


def temporal_split(dates: pandas.Series, test_fraction: float) -> list[Fold]:
    """One fold: the latest `test_fraction` of rows by date is the test set.

    The cut is at a date, not a row: every row dated on or after the cutoff date is tested, so no
    date is on both sides (the test share can be a little larger than asked when dates repeat).
    """
    parsed = pandas.to_datetime(dates.reset_index(drop=True))
    if parsed.isna().any():
        raise ValueError(f'date column "{dates.name}" has {int(parsed.isna().sum())} missing values')
    ordered = parsed.sort_values(kind="stable").to_numpy()
    cutoff = ordered[len(ordered) - math.ceil(len(ordered) * test_fraction)]
    is_test = (parsed >= cutoff).to_numpy()
    if is_test.all():
        raise ValueError(f'date column "{dates.name}" leaves no training rows before the cutoff {cutoff}')
    return [(numpy.flatnonzero(~is_test), numpy.flatnonzero(is_test))]


_unimplemented = [name for name in SPLIT_STRATEGIES if not callable(globals().get(name))]
assert not _unimplemented, f"the contract's split strategies (lists.json) {_unimplemented} have no function here"

"""The outcome of a run against its baseline (docs/outcome.md): pure statistics, no I/O.

mlp chooses the baseline (``src/outcome/``) and puts it in the plan; the supervisor computes here,
from the per-fold scores or the out-of-fold predictions, whether the change beat the noise of the
comparison, and records the answer before it seals the run.

- The same folds (stratified k-fold, same data, seed and number of folds): a paired t-test over
  the per-fold scores (``paired_t_folds``), as ``scipy.stats.ttest_rel``.
- Otherwise (the temporal split, or k-fold with other folds): a paired bootstrap over the rows
  both runs scored (``paired_bootstrap``): resample those rows with replacement, score both runs
  on each resample, and read the standard error, interval and p-value off the differences.

Every delta is in the metric's direction: positive means better, for ``log_loss`` too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy
from scipy import stats

BOOTSTRAP_RESAMPLES = 1000
"""Resamples of the paired bootstrap: the p-value's resolution is about 1/1000."""
BOOTSTRAP_SEED = 0
"""The bootstrap's seed: the same two runs always get the same numbers."""

Scorer = Callable[[numpy.ndarray, numpy.ndarray], float]
"""A metric of (labels 0/1, positive-class scores)."""


@dataclass(frozen=True)
class Comparison:
    """The numbers of one comparison, each in the metric's direction (positive = better)."""

    method: str
    """``paired_t_folds``, ``paired_bootstrap`` or ``none`` (only the delta is known)."""
    delta: float
    std_error: float
    p_value: float
    ci_low: float
    ci_high: float


def sign_of(direction: str) -> float:
    """+1 when higher is better, -1 when lower is (``metric_directions`` in the standards)."""
    if direction not in ("higher", "lower"):
        raise ValueError(f'a metric direction is "higher" or "lower", not "{direction}"')
    return 1.0 if direction == "higher" else -1.0


def paired_t_folds(
    current: Sequence[float], baseline: Sequence[float], direction: str, confidence: float
) -> Comparison:
    """Paired t-test over per-fold scores of the same folds (fold i of both runs scored the same
    rows). The delta is the mean per-fold improvement; the interval is the t interval at
    ``confidence``. Identical scores give p = 1 (scipy says NaN: no variance to test)."""
    if len(current) != len(baseline) or len(current) < 2:
        raise ValueError(f"a paired t-test needs the same folds, at least 2: got {len(current)} and {len(baseline)}")
    diff = sign_of(direction) * (numpy.asarray(current, dtype=float) - numpy.asarray(baseline, dtype=float))
    delta = float(diff.mean())
    se = float(diff.std(ddof=1) / math.sqrt(len(diff)))
    if se == 0.0:
        return Comparison("paired_t_folds", delta, 0.0, 1.0 if delta == 0.0 else 0.0, delta, delta)
    p = float(stats.ttest_rel(diff, numpy.zeros_like(diff)).pvalue)
    half = float(stats.t.ppf(0.5 + confidence / 2, len(diff) - 1)) * se
    return Comparison("paired_t_folds", delta, se, p, delta - half, delta + half)


def paired_bootstrap(
    labels: numpy.ndarray,
    current: numpy.ndarray,
    baseline: numpy.ndarray,
    scorer: Scorer,
    direction: str,
    confidence: float,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Comparison:
    """Paired bootstrap over rows both runs scored (the same row ids, hence the same labels).

    The delta is the improvement on those rows; the standard error is the standard deviation of
    the resampled improvements, the interval their percentiles at ``confidence``, and the p-value
    two-sided: twice the smaller share of resamples on either side of zero (with the +1 that keeps
    it above zero), at most 1. A resample the metric is undefined on (one class) is drawn again."""
    y = numpy.asarray(labels).astype(int)
    a = numpy.asarray(current, dtype=float)
    b = numpy.asarray(baseline, dtype=float)
    if not (len(y) == len(a) == len(b)) or len(y) == 0:
        raise ValueError("a paired bootstrap needs one label and two scores per shared row")
    sign = sign_of(direction)
    delta = sign * (scorer(y, a) - scorer(y, b))
    rng = numpy.random.default_rng(seed)
    deltas = numpy.empty(resamples)
    drawn = 0
    while drawn < resamples:
        rows = rng.integers(0, len(y), len(y))
        if y[rows].min() == y[rows].max():
            continue
        deltas[drawn] = sign * (scorer(y[rows], a[rows]) - scorer(y[rows], b[rows]))
        drawn += 1
    below = int((deltas <= 0).sum())
    above = int((deltas >= 0).sum())
    p = min(1.0, 2 * (min(below, above) + 1) / (resamples + 1))
    low, high = numpy.quantile(deltas, [0.5 - confidence / 2, 0.5 + confidence / 2])
    return Comparison("paired_bootstrap", float(delta), float(deltas.std(ddof=1)), p, float(low), float(high))


def classify(delta: float, p_value: float, min_effect: float, confidence: float) -> str:
    """``confirmed`` when the improvement is at least ``min_effect`` and significant
    (p < 1 - confidence), ``negative`` when it is at most -``min_effect`` and significant,
    ``neutral`` otherwise (a NaN delta or p-value too)."""
    alpha = round(1 - confidence, 12)  # 1 - 0.95 is 0.050000000000000044 in binary
    if math.isnan(delta) or math.isnan(p_value) or p_value >= alpha:
        return "neutral"
    if delta >= min_effect:
        return "confirmed"
    if delta <= -min_effect:
        return "negative"
    return "neutral"

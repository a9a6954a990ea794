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

WeightedScorer = Callable[[numpy.ndarray], float]
"""A metric of fixed rows as a function of each row's weight (``weighted_scorer``)."""


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


def _groups(s: numpy.ndarray, descending: bool) -> tuple[numpy.ndarray, int]:
    """Each row's group of equal scores, numbered in score order, and the number of groups."""
    distinct, group = numpy.unique(-s if descending else s, return_inverse=True)
    return group, len(distinct)


def _roc_auc(y: numpy.ndarray, s: numpy.ndarray) -> WeightedScorer:
    """The Mann-Whitney form of the area under the ROC curve, ties counted half (as sklearn):
    per positive, the weight of negatives scored below it, plus half of those scored equal."""
    group, n = _groups(s, descending=False)

    def auc(w: numpy.ndarray) -> float:
        pos = numpy.bincount(group, weights=w * y, minlength=n)
        neg = numpy.bincount(group, weights=w * (1 - y), minlength=n)
        below = numpy.cumsum(neg) - neg
        return float(numpy.sum(pos * (below + neg / 2)) / (pos.sum() * neg.sum()))

    return auc


def _average_precision(y: numpy.ndarray, s: numpy.ndarray) -> WeightedScorer:
    """sklearn's average precision: over distinct thresholds, highest first, the recall gained
    times the precision there (a threshold no resampled row holds gains no recall)."""
    group, n = _groups(s, descending=True)

    def average_precision(w: numpy.ndarray) -> float:
        tp = numpy.cumsum(numpy.bincount(group, weights=w * y, minlength=n))
        seen = numpy.cumsum(numpy.bincount(group, weights=w, minlength=n))
        precision = numpy.divide(tp, seen, out=numpy.zeros(n), where=seen > 0)
        return float(numpy.sum(numpy.diff(numpy.r_[0.0, tp / tp[-1]]) * precision))

    return average_precision


def _mean_of(per_row: numpy.ndarray) -> WeightedScorer:
    # An elementwise product, not numpy.dot: BLAS threads contend on a busy machine.
    return lambda w: float((w * per_row).sum() / w.sum())


def _log_loss(y: numpy.ndarray, s: numpy.ndarray) -> WeightedScorer:
    p = numpy.clip(s, numpy.finfo(s.dtype).eps, 1 - numpy.finfo(s.dtype).eps)
    return _mean_of(-(y * numpy.log(p) + (1 - y) * numpy.log(1 - p)))


def _threshold_metric(name: str, y: numpy.ndarray, s: numpy.ndarray, threshold: float) -> WeightedScorer:
    """f1, precision, recall or accuracy, a score >= threshold counting as positive; 0 where the
    ratio is undefined (sklearn's ``zero_division=0``)."""
    predicted, actual = s >= threshold, y == 1
    flags = [(a & b).astype(float) for a, b in ((predicted, actual), (predicted, ~actual), (~predicted, actual))]

    def ratio(w: numpy.ndarray) -> float:
        tp, fp, fn = (float((w * flag).sum()) for flag in flags)
        numerator, denominator = {
            "f1": (2 * tp, 2 * tp + fp + fn),
            "precision": (tp, tp + fp),
            "recall": (tp, tp + fn),
            "accuracy": (w.sum() - fp - fn, w.sum()),
        }[name]
        return float(numerator / denominator) if denominator else 0.0

    return ratio


def weighted_scorer(name: str, labels: numpy.ndarray, scores: numpy.ndarray, threshold: float) -> WeightedScorer:
    """The metric ``name`` of these rows as a function of each row's weight (how many times a
    resample drew it): with the weights of a resample it equals ``metrics.compute_metrics`` (sklearn)
    on the resampled rows, in O(rows) with the sorting done once, so that a thousand resamples of
    12,000 rows take well under a second."""
    y = numpy.asarray(labels).astype(float)
    s = numpy.asarray(scores, dtype=float)
    if name == "roc_auc":
        return _roc_auc(y, s)
    if name == "pr_auc":
        return _average_precision(y, s)
    if name == "log_loss":
        return _log_loss(y, s)
    if name == "brier":
        return _mean_of((s - y) ** 2)
    return _threshold_metric(name, y, s, threshold)


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
    metric: str,
    threshold: float,
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
    if not (len(y) == len(current) == len(baseline)) or len(y) == 0:
        raise ValueError("a paired bootstrap needs one label and two scores per shared row")
    mine = weighted_scorer(metric, y, current, threshold)
    theirs = weighted_scorer(metric, y, baseline, threshold)
    sign = sign_of(direction)
    ones = numpy.ones(len(y))
    delta = sign * (mine(ones) - theirs(ones))
    rng = numpy.random.default_rng(seed)
    deltas = numpy.empty(resamples)
    drawn = 0
    while drawn < resamples:
        rows = rng.integers(0, len(y), len(y))
        if y[rows].min() == y[rows].max():
            continue
        w = numpy.bincount(rows, minlength=len(y)).astype(float)
        deltas[drawn] = sign * (mine(w) - theirs(w))
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

"""outcome: the paired t-test against scipy's own, the bootstrap on known rows, the classification."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy
import pyarrow
import pyarrow.parquet
import pytest
from scipy import stats
from sklearn.metrics import log_loss, roc_auc_score

from mlp_platform.contract import METRICS
from mlp_platform.judgement import Scored, judge
from mlp_platform.metrics import compute_metrics
from mlp_platform.outcome import classify, paired_bootstrap, paired_t_folds, weighted_scorer
from mlp_platform.plan import BaselinePlan, ComparisonPlan
from mlp_platform.seal import hash_file

CURRENT = [0.81, 0.79, 0.83, 0.80, 0.82]
BASELINE = [0.80, 0.78, 0.81, 0.80, 0.80]


def test_paired_t_matches_scipy_ttest_rel() -> None:
    result = paired_t_folds(CURRENT, BASELINE, "higher", 0.95)
    expected = stats.ttest_rel(CURRENT, BASELINE)
    diff = numpy.subtract(CURRENT, BASELINE)
    assert result.method == "paired_t_folds"
    assert result.delta == pytest.approx(0.012)
    assert result.p_value == pytest.approx(float(expected.pvalue))
    assert result.std_error == pytest.approx(float(diff.std(ddof=1) / math.sqrt(5)))
    half = stats.t.ppf(0.975, 4) * result.std_error
    assert result.ci_low == pytest.approx(0.012 - half)
    assert result.ci_high == pytest.approx(0.012 + half)


def test_paired_t_lower_is_better_flips_the_sign() -> None:
    result = paired_t_folds([0.40, 0.42, 0.41], [0.45, 0.46, 0.44], "lower", 0.95)
    assert result.delta == pytest.approx(0.04)
    assert result.p_value == pytest.approx(float(stats.ttest_rel([0.40, 0.42, 0.41], [0.45, 0.46, 0.44]).pvalue))


def test_paired_t_identical_scores_have_p_one() -> None:
    result = paired_t_folds(CURRENT, CURRENT, "higher", 0.95)
    assert (result.delta, result.std_error, result.p_value) == (0.0, 0.0, 1.0)


def test_paired_t_needs_the_same_number_of_folds() -> None:
    with pytest.raises(ValueError, match="the same folds, at least 2: got 5 and 3"):
        paired_t_folds(CURRENT, BASELINE[:3], "higher", 0.95)


def _rows(n: int = 400, seed: int = 3) -> tuple[numpy.ndarray, numpy.ndarray]:
    rng = numpy.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return y, numpy.clip(y * 0.3 + rng.normal(0.35, 0.2, n), 0.01, 0.99)


def test_bootstrap_delta_is_the_difference_on_the_shared_rows() -> None:
    y, good = _rows()
    rng = numpy.random.default_rng(5)
    noisy = numpy.clip(good + rng.normal(0, 0.3, len(y)), 0.01, 0.99)
    result = paired_bootstrap(y, good, noisy, "roc_auc", 0.5, "higher", 0.95, resamples=300)
    assert result.method == "paired_bootstrap"
    assert result.delta == pytest.approx(roc_auc_score(y, good) - roc_auc_score(y, noisy))
    assert result.delta > 0.05
    assert result.p_value == pytest.approx(2 / 301)  # no resample favours the noisy scores
    assert result.ci_low > 0 and result.std_error > 0
    again = paired_bootstrap(y, good, noisy, "roc_auc", 0.5, "higher", 0.95, resamples=300)
    assert again == result  # seeded


def test_bootstrap_of_identical_scores_is_neutral() -> None:
    y, scores = _rows()
    result = paired_bootstrap(y, scores, scores, "roc_auc", 0.5, "higher", 0.95, resamples=100)
    assert (result.delta, result.std_error, result.p_value) == (0.0, 0.0, 1.0)


def test_bootstrap_log_loss_direction() -> None:
    y, good = _rows()
    worse = numpy.clip(good * 0.5 + 0.25, 0.01, 0.99)
    result = paired_bootstrap(y, good, worse, "log_loss", 0.5, "lower", 0.95, 200)
    assert result.delta == pytest.approx(log_loss(y, worse) - log_loss(y, good))
    assert result.delta > 0


@pytest.mark.parametrize(
    ("delta", "p", "expected"),
    [
        (0.01, 0.01, "confirmed"),
        (0.001, 0.01, "confirmed"),  # exactly min_effect
        (0.0009, 0.001, "neutral"),  # significant but below the minimum effect
        (0.01, 0.05, "neutral"),  # not below 1 - confidence
        (-0.01, 0.01, "negative"),
        (-0.01, 0.2, "neutral"),
        (float("nan"), 0.01, "neutral"),
    ],
)
def test_classify(delta: float, p: float, expected: str) -> None:
    assert classify(delta, p, min_effect=0.001, confidence=0.95) == expected


def _oof_file(path: Path, row_id: numpy.ndarray, label: numpy.ndarray, score: numpy.ndarray) -> str:
    table = pyarrow.table({"row_id": row_id, "fold": numpy.zeros(len(row_id), "int32"), "label": label, "score": score})
    pyarrow.parquet.write_table(table, path)
    return hash_file(path)


def _comparison(baseline: BaselinePlan | None) -> ComparisonPlan:
    return ComparisonPlan("roc_auc", "higher", 0.002, 0.95, baseline, None)


def _baseline(**changes: Any) -> BaselinePlan:
    fields: dict[str, Any] = {
        "run_id": "b" * 32,
        "value": 0.75,
        "fold_scores": [0.80, 0.78, 0.81, 0.80, 0.80],
        "same_folds": True,
        "folds_differ": [],
        "oof_path": None,
        "oof_sha256": None,
    }
    return BaselinePlan(**{**fields, **changes})


def _scored(value: float = 0.76) -> Scored:
    y, s = _rows()
    return Scored(value, CURRENT, numpy.arange(len(y)), y, s, 0.5)


def test_judge_without_a_baseline_is_first() -> None:
    judged = judge(_comparison(None), _scored(), "stratified_kfold")
    assert judged.tags == {"mlp.outcome": "first", "mlp.outcome.method": "none"}
    assert judged.metrics == {}
    assert judged.report["delta"] is None and judged.report["baseline_run_id"] is None


def test_judge_on_the_same_folds_uses_the_paired_t_test() -> None:
    judged = judge(_comparison(_baseline()), _scored(0.76), "stratified_kfold")
    assert judged.tags["mlp.outcome.method"] == "paired_t_folds"
    assert judged.tags["mlp.baseline.run_id"] == "b" * 32
    assert judged.metrics["metric_delta"] == pytest.approx(0.01)
    assert judged.metrics["outcome.p_value"] == pytest.approx(float(stats.ttest_rel(CURRENT, BASELINE).pvalue))
    # p ≈ 0.04 < 0.05 and 0.01 >= 0.002
    assert judged.tags["mlp.outcome"] == "confirmed"


def test_judge_other_folds_bootstraps_the_baseline_rows(tmp_path: Path) -> None:
    y, s = _rows()
    rows = numpy.arange(len(y))
    # The baseline scored the rows from 100 on, with noise: 300 rows are shared.
    noisy = numpy.clip(s[100:] + numpy.random.default_rng(1).normal(0, 0.3, len(y) - 100), 0.01, 0.99)
    digest = _oof_file(tmp_path / "oof.parquet", rows[100:], y[100:].astype("int8"), noisy)
    baseline = _baseline(
        same_folds=False, folds_differ=["random_seed 7, not 42"], oof_path=tmp_path / "oof.parquet", oof_sha256=digest
    )
    judged = judge(_comparison(baseline), _scored(), "stratified_kfold")
    assert judged.tags["mlp.outcome.method"] == "paired_bootstrap"
    assert judged.params["outcome.note"] == (
        "other folds (random_seed 7, not 42): paired bootstrap over the 300 rows both runs scored"
    )
    assert judged.params["outcome.resamples"] == "1000"


def test_judge_refuses_a_baseline_file_that_is_not_the_sealed_one(tmp_path: Path) -> None:
    y, s = _rows()
    _oof_file(tmp_path / "oof.parquet", numpy.arange(len(y)), y.astype("int8"), s)
    baseline = _baseline(same_folds=False, oof_path=tmp_path / "oof.parquet", oof_sha256="0" * 64)
    with pytest.raises(ValueError, match=r"is not the baseline's sealed mlp/oof_predictions\.parquet"):
        judge(_comparison(baseline), _scored(), "temporal_split")


def test_judge_without_per_fold_results_gives_only_the_delta() -> None:
    judged = judge(_comparison(_baseline(fold_scores=None, same_folds=True)), _scored(0.70), "stratified_kfold")
    assert judged.tags == {"mlp.outcome": "neutral", "mlp.outcome.method": "none", "mlp.baseline.run_id": "b" * 32}
    assert judged.metrics == {"metric_delta": pytest.approx(-0.05), "outcome.baseline_value": 0.75}
    assert judged.params["outcome.note"].endswith("only the delta is given")


@pytest.mark.parametrize("name", METRICS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weighted_scorers_equal_the_sklearn_metrics_on_a_resample(name: str, seed: int) -> None:
    rng = numpy.random.default_rng(seed)
    y = rng.integers(0, 2, 300)
    s = numpy.round(rng.random(300), 2)  # ties, as real scores have
    s[:5] = [0.0, 1.0, 0.5, 0.5, 0.5]
    scorer = weighted_scorer(name, y, s, 0.5)
    assert scorer(numpy.ones(300)) == pytest.approx(compute_metrics(y, s, [name], 0.5)[name], abs=1e-12)
    rows = rng.integers(0, 300, 300)
    resampled = compute_metrics(y[rows], s[rows], [name], 0.5)[name]
    assert scorer(numpy.bincount(rows, minlength=300).astype(float)) == pytest.approx(resampled, abs=1e-12)

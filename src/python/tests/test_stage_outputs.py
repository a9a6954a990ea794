"""What the trainer accepts from the feature stage: stages.check_features and model_check.load_checked."""

from __future__ import annotations

import numpy
import pandas
import pyarrow
import pyarrow.ipc
import pytest
import skops.io
from sklearn.dummy import DummyClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from xgboost import XGBClassifier

from mlp_platform.fitting import TrainingRefused
from mlp_platform.model_check import load_checked
from mlp_platform.stages import check_features

TEXT_TYPE = pyarrow.Table.from_pandas(pandas.DataFrame({"a": ["x"]})).schema[0].type
"""What Arrow makes of a text column (string or large_string, by pandas version)."""


def arrow_file(frame: pandas.DataFrame) -> bytes:
    table = pyarrow.Table.from_pandas(frame, preserve_index=False)
    sink = pyarrow.BufferOutputStream()
    with pyarrow.ipc.new_file(sink, table.schema) as out:
        out.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def test_numeric_features_with_missing_values_are_accepted() -> None:
    frame = pandas.DataFrame({"a": [1.0, numpy.nan], "b": [1, 2], "c": [True, False]})
    pandas.testing.assert_frame_equal(check_features(arrow_file(frame), 2), frame)


@pytest.mark.parametrize(
    ("frame", "rows", "message"),
    [
        (
            pandas.DataFrame({"a": [1.0]}),
            2,
            "build_features() must return a DataFrame with one row per input row (2), got 1 rows",
        ),
        (
            pandas.DataFrame({"a": [1.0, numpy.inf]}),
            2,
            'build_features() returned column "a" with infinite values: replace them (e.g. with NaN)',
        ),
        (
            pandas.DataFrame({"a": ["x", "y"]}),
            2,
            f'build_features() returned column "a" of type {TEXT_TYPE}: '
            "features must be numbers (encode text as indicator columns, dates as calendar parts)",
        ),
    ],
)
def test_features_the_trainer_cannot_fit_on_are_refused(frame: pandas.DataFrame, rows: int, message: str) -> None:
    with pytest.raises(TrainingRefused) as refused:
        check_features(arrow_file(frame), rows)
    assert str(refused.value) == message


def test_a_file_that_is_not_arrow_is_refused() -> None:
    with pytest.raises(TrainingRefused, match=r"^the feature stage's features.arrow is not an Arrow file: "):
        check_features(b"PAR1 not arrow", 2)


def test_the_model_types_estimators_load_as_the_plan_configured_them() -> None:
    model = LogisticRegression(C=0.5, class_weight=None, random_state=7)
    pipeline = Pipeline([("impute", SimpleImputer()), ("model", model)])
    loaded = load_checked(
        skops.io.dumps(pipeline), "logistic_regression", {"C": 0.5, "class_weight": "none"}, random_seed=7
    )
    assert type(loaded.steps[-1][1]) is LogisticRegression and loaded.steps[-1][1].C == 0.5
    xgb = load_checked(
        skops.io.dumps(XGBClassifier(max_depth=3, random_state=7)), "xgboost", {"max_depth": 3}, random_seed=7
    )
    assert type(xgb) is XGBClassifier and xgb.max_depth == 3


def test_another_class_than_the_model_types_is_refused() -> None:
    with pytest.raises(TrainingRefused) as refused:
        load_checked(skops.io.dumps(DummyClassifier()), "logistic_regression", {}, random_seed=7)
    assert str(refused.value) == (
        'build_model() returned a "sklearn.dummy.DummyClassifier" for model_type "logistic_regression": return '
        "sklearn.linear_model._logistic.LogisticRegression"
    )


def test_a_class_outside_scikit_learn_and_the_model_type_is_refused_before_it_is_loaded() -> None:
    with pytest.raises(TrainingRefused) as refused:
        load_checked(skops.io.dumps(XGBClassifier()), "logistic_regression", {}, random_seed=7)
    assert str(refused.value) == (
        'build_model() returned an estimator holding type "xgboost.sklearn.XGBClassifier", which the platform does '
        'not load: for model_type "logistic_regression" return sklearn.linear_model._logistic.LogisticRegression '
        "(alone or as the last step of a scikit-learn Pipeline of scikit-learn transformers); estimator classes "
        "defined in the project are not supported"
    )


def test_a_hyperparameter_other_than_the_plans_is_refused() -> None:
    with pytest.raises(TrainingRefused) as refused:
        load_checked(
            skops.io.dumps(LogisticRegression(max_iter=5)), "logistic_regression", {"max_iter": 200}, random_seed=7
        )
    assert str(refused.value) == (
        'build_model() returned a LogisticRegression whose hyperparameter "max_iter" is 5, but '
        "configs/experiment.yaml sets it to 200: pass the configured hyperparameters unchanged"
    )


def test_a_random_state_other_than_the_configured_seed_is_refused() -> None:
    with pytest.raises(TrainingRefused) as refused:
        load_checked(skops.io.dumps(XGBClassifier(random_state=1)), "xgboost", {}, random_seed=42)
    assert str(refused.value) == (
        "build_model() returned a XGBClassifier whose random_state is 1, but configs/experiment.yaml sets "
        "random_seed to 42: pass random_state=random_seed"
    )
    unseeded = Pipeline([("impute", SimpleImputer()), ("model", LogisticRegression())])
    with pytest.raises(TrainingRefused, match=r"whose random_state is None, but .* random_seed to 42"):
        load_checked(skops.io.dumps(unseeded), "logistic_regression", {}, random_seed=42)

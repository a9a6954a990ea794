"""src/model.py builds an unfitted estimator of the right kind for every allowed model type."""

from __future__ import annotations

import pytest
from lightgbm import LGBMClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted
from xgboost import XGBClassifier

from conftest import load_yaml
from model import build_model

ESTIMATORS = {
    "xgboost": XGBClassifier,
    "lightgbm": LGBMClassifier,
    "logistic_regression": LogisticRegression,
    "random_forest": RandomForestClassifier,
}


def valid_value(spec: dict):
    """A value within a hyperparameter spec of project_standards.yaml."""
    if "choices" in spec:
        return spec["choices"][-1]
    if spec["type"] == "boolean":
        return True
    return spec.get("max", spec.get("min", 1))


def hyperparameters_for(model_type: str) -> dict:
    """experiment.yaml's hyperparameters for its own model type; for the others, one valid value per spec."""
    experiment = load_yaml("configs/experiment.yaml")
    if model_type == experiment["model_type"]:
        return experiment["hyperparameters"]
    specs = load_yaml("configs/project_standards.yaml")["hyperparameters"][model_type]
    return {name: valid_value(spec) for name, spec in specs.items()}


def final_estimator(model):
    return model.steps[-1][1] if isinstance(model, Pipeline) else model


@pytest.mark.parametrize("model_type", load_yaml("configs/project_standards.yaml")["allowed_model_types"])
def test_builds_an_unfitted_estimator_of_the_right_class(model_type):
    hyperparameters = hyperparameters_for(model_type)
    model = build_model(model_type, hyperparameters, 42)
    estimator = final_estimator(model)
    assert type(estimator) is ESTIMATORS[model_type]
    assert hasattr(model, "predict_proba")
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    params = estimator.get_params()
    assert params["random_state"] == 42
    for name, value in hyperparameters.items():
        assert params[name] == (None if value == "none" else value), name


def test_rejects_an_unknown_model_type():
    with pytest.raises(ValueError, match="not supported"):
        build_model("svm", {}, 42)

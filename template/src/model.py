"""The model: an unfitted estimator built from configs/experiment.yaml.

`mlp run` calls `build_model(model_type, hyperparameters, random_seed)` and does the fitting itself,
once per split of the protected split strategy and once on all rows for the logged model. Nothing here
trains or logs: the pre-commit training guard refuses fitting or MLflow calls anywhere in src/.

Hyperparameter names are the estimators' own keyword arguments; `mlp validate` checks their values
against the `hyperparameters` table of configs/project_standards.yaml before a run starts.
"""

from __future__ import annotations

from lightgbm import LGBMClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from xgboost import XGBClassifier

MODEL_TYPES = ("xgboost", "lightgbm", "logistic_regression", "random_forest")

# YAML has no spelling of Python's None that survives a config diff well, so the configs say "none".
NONE_STRING_PARAMS = ("class_weight", "max_features")


def build_model(model_type: str, hyperparameters: dict, random_seed: int):
    """Returns an unfitted scikit-learn-compatible classifier with `predict_proba`.

    Single-threaded on purpose (n_jobs=1): results then do not depend on the machine's core count.
    The scikit-learn models run in a Pipeline that imputes missing values (median) first, because
    src/features.py leaves them as NaN for the gradient-boosted models.
    """
    params = {
        name: None if name in NONE_STRING_PARAMS and value == "none" else value
        for name, value in hyperparameters.items()
    }
    if model_type == "xgboost":
        return XGBClassifier(eval_metric="logloss", n_jobs=1, random_state=random_seed, **params)
    if model_type == "lightgbm":
        return LGBMClassifier(verbose=-1, n_jobs=1, random_state=random_seed, **params)
    if model_type == "logistic_regression":
        return Pipeline(
            [
                ("impute", SimpleImputer(strategy="median")),
                ("scale", StandardScaler()),
                ("model", LogisticRegression(random_state=random_seed, **params)),
            ]
        )
    if model_type == "random_forest":
        return Pipeline(
            [
                ("impute", SimpleImputer(strategy="median")),
                ("model", RandomForestClassifier(n_jobs=1, random_state=random_seed, **params)),
            ]
        )
    raise ValueError(
        f"model_type {model_type!r} is not supported by src/model.py; supported: {list(MODEL_TYPES)}"
    )

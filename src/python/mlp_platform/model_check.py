"""Loading the unfitted estimator the feature stage built, trusting nothing but what the plan allows.

The stage returns ``build_model``'s estimator serialized with skops. It is loaded trusting only
skops's default types (scikit-learn's own estimators and the numpy and scipy types they hold) plus
the one class of the plan's ``model_type``: a class defined in the project, a function, or any
other type in the file is refused before anything of it is created. The estimator, or the last
step of a scikit-learn Pipeline, must then be exactly that class, with every hyperparameter of the
plan set to the plan's value and its random_state to the plan's random_seed. ``src/model.py`` of
the template maps the model types the same way.
"""

from __future__ import annotations

import importlib
from typing import Any

from mlp_platform.fitting import TrainingRefused

MODEL_CLASSES = {
    "xgboost": "xgboost.sklearn.XGBClassifier",
    "lightgbm": "lightgbm.sklearn.LGBMClassifier",
    "logistic_regression": "sklearn.linear_model._logistic.LogisticRegression",
    "random_forest": "sklearn.ensemble._forest.RandomForestClassifier",
}
"""The estimator class of each model type the project standards allow (allowed_model_types)."""

NONE_STRING = "none"
"""How the configs write Python's None (YAML's null does not survive a config diff well)."""


def preload_model_class(model_type: str) -> None:
    """Imports the module of the model type's class (xgboost takes about a second), so that the
    feature stage forked afterwards, whose model.py imports it too, and the loading of its
    estimator find it imported already; an unknown model type is left to load_checked to refuse."""
    name = MODEL_CLASSES.get(model_type)
    if name is not None:
        importlib.import_module(name.rpartition(".")[0])


def _type_name(value: object) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}"


def _matches(expected: Any, actual: Any) -> bool:
    """The plan's value equals the estimator's, "none" standing for None, and a bool only for a bool."""
    if expected == NONE_STRING and actual is None:
        return True
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    return bool(expected == actual)


def load_checked(data: bytes, model_type: str, hyperparameters: dict[str, Any], random_seed: int) -> Any:
    """Loads the skops bytes `data` and returns the estimator, or raises TrainingRefused saying
    which type, class, hyperparameter or random_state does not match the plan and how to fix it."""
    import skops.io
    from sklearn.pipeline import Pipeline

    expected = MODEL_CLASSES.get(model_type)
    if expected is None:
        raise TrainingRefused(
            f'model_type "{model_type}" has no estimator class the platform can check: use one of '
            f"{', '.join(sorted(MODEL_CLASSES))}"
        )
    try:
        untrusted = [name for name in skops.io.get_untrusted_types(data=data) if name != expected]
    except Exception as error:
        raise TrainingRefused(f"build_model() returned an estimator that cannot be serialized: {error}") from error
    if untrusted:
        raise TrainingRefused(
            f'build_model() returned an estimator holding type "{untrusted[0]}", which the platform does not load: '
            f'for model_type "{model_type}" return {expected} (alone or as the last step of a scikit-learn '
            "Pipeline of scikit-learn transformers); estimator classes defined in the project are not supported"
        )
    estimator = skops.io.loads(data, trusted=[expected])
    final = estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator
    if _type_name(final) != expected:
        raise TrainingRefused(
            f'build_model() returned a "{_type_name(final)}" for model_type "{model_type}": return {expected}'
        )
    params = final.get_params(deep=False)
    for name, value in hyperparameters.items():
        if name not in params or not _matches(value, params[name]):
            found = repr(params[name]) if name in params else "no such parameter"
            raise TrainingRefused(
                f'build_model() returned a {type(final).__name__} whose hyperparameter "{name}" is {found}, but '
                f"configs/experiment.yaml sets it to {value!r}: pass the configured hyperparameters unchanged"
            )
    # Every model type's class takes random_state; another seed would make the run unrepeatable
    # from its recorded random_seed (and lets project code pick the luckiest of many seeds).
    seed = params.get("random_state")
    if seed != random_seed or isinstance(seed, bool):
        raise TrainingRefused(
            f"build_model() returned a {type(final).__name__} whose random_state is {seed!r}, but "
            f"configs/experiment.yaml sets random_seed to {random_seed}: pass random_state=random_seed"
        )
    if not hasattr(estimator, "predict_proba"):
        raise TrainingRefused("build_model() must return a classifier with predict_proba()")
    return estimator

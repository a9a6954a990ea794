"""Saving the final estimator as an MLflow model directory, inside the trainer.

The model is saved in skops format (MLflow's safe default) trusting exactly the types it contains
(scikit-learn's, plus XGBoost's or LightGBM's classifier: ``model_check`` admits no other), so it
loads without any project code, and with pinned pip requirements taken from the installed distributions so that MLflow
does not start a slow requirements inference. Its input is the output of ``build_features``; its
pyfunc ``predict`` returns class probabilities, the second column that of the positive class.
"""

from __future__ import annotations

import logging
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas

ALWAYS_REQUIRED = ("mlflow", "scikit-learn", "skops", "numpy", "pandas", "scipy")


def _pins(distributions: list[str]) -> list[str]:
    pins = []
    for name in dict.fromkeys(distributions):
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return pins


def requirements(estimator: object) -> list[str]:
    """Pinned requirements: the always-needed packages plus the distributions that provide the
    modules of the estimator and its pipeline steps (e.g. xgboost → xgboost-cpu)."""
    owners = metadata.packages_distributions()
    steps = getattr(estimator, "steps", None) or [(None, estimator)]
    roots = [type(step).__module__.split(".")[0] for _, step in steps]
    return _pins([*ALWAYS_REQUIRED, *(dist for root in roots for dist in owners.get(root, []))])


def preload() -> None:
    """Imports what save_model needs, so the import cost is paid while the supervisor is busy."""
    import mlflow.sklearn  # noqa: F401
    import pyarrow.ipc  # noqa: F401
    import sklearn.pipeline  # noqa: F401
    import skops.io  # noqa: F401


def save_model(estimator: object, sample: pandas.DataFrame, path: Path, classes: list[Any]) -> None:
    """Writes `estimator` (fitted) as an MLflow model at `path` with a signature from `sample`.
    `classes` is [negative, positive], the target class of each column of the model's output; the
    model's metadata names them (`classes`, `positive_class`)."""
    import mlflow.sklearn
    import skops.io
    from mlflow.models import infer_signature

    # Client environments are made by uv and have no pip, so MLflow would warn on every run that
    # conda.yaml's pip is unpinned; the requirements that matter are pinned above.
    logging.getLogger("mlflow.utils.environment").setLevel(logging.ERROR)
    trusted = skops.io.get_untrusted_types(data=skops.io.dumps(estimator))
    signature = infer_signature(sample, estimator.predict_proba(sample))  # type: ignore[attr-defined]
    mlflow.sklearn.save_model(
        estimator,
        str(path),
        serialization_format="skops",
        skops_trusted_types=trusted,
        signature=signature,
        pip_requirements=requirements(estimator),
        pyfunc_predict_fn="predict_proba",
        metadata={"positive_class": classes[1], "classes": classes},
    )

"""Writing to MLflow from the supervisor: experiment, params in batches, metrics, end state."""

from __future__ import annotations

import time

from mlflow.entities import Metric, Param
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

MAX_PARAMS_PER_BATCH = 100
MAX_PARAM_VALUE_CHARS = 6000
"""MLflow's limits: log_batch takes 100 params; the SQL store keeps 6000 characters of a value."""


def experiment_id(client: MlflowClient, name: str) -> tuple[str, bool]:
    """The id of the active experiment `name`, and whether this call created it (with the store's
    default artifact location: a tracking server decides; a SQLite store's is set by the caller)."""
    experiment = client.get_experiment_by_name(name)
    if experiment is None:
        try:
            return client.create_experiment(name), True
        except MlflowException:
            # Another run created it between our lookup and our create.
            experiment = client.get_experiment_by_name(name)
            if experiment is None:
                raise
    if experiment.lifecycle_stage != "active":
        raise MlflowException(
            f'MLflow experiment "{name}" is deleted: restore it (mlflow experiments restore '
            f"--experiment-id {experiment.experiment_id}) or permanently delete it (mlflow gc)"
        )
    return experiment.experiment_id, False


def clip(value: str) -> str:
    """A param value cut to MLflow's limit; the full value stays in the mlp/plan.json artifact."""
    if len(value) <= MAX_PARAM_VALUE_CHARS:
        return value
    return value[: MAX_PARAM_VALUE_CHARS - 14] + "…[truncated]"


def log_params(client: MlflowClient, run_id: str, params: dict[str, str]) -> dict[str, str]:
    """Logs params in batches of at most 100, values clipped to 6000 characters; returns them as
    logged."""
    items = [Param(key, clip(str(value))) for key, value in sorted(params.items())]
    for start in range(0, len(items), MAX_PARAMS_PER_BATCH):
        client.log_batch(run_id, params=items[start : start + MAX_PARAMS_PER_BATCH])
    return {item.key: item.value for item in items}


def log_metrics(client: MlflowClient, run_id: str, metrics: dict[str, float]) -> None:
    """Logs all metrics at step 0 with one timestamp."""
    now = int(time.time() * 1000)
    client.log_batch(run_id, metrics=[Metric(key, value, now, 0) for key, value in sorted(metrics.items())])


def log_metric_steps(client: MlflowClient, run_id: str, histories: dict[str, list[float]]) -> None:
    """Logs each metric's values at steps 0, 1, … (one per fold) with one timestamp, in batches of
    at most 1,000 (MLflow's limit per log_batch)."""
    now = int(time.time() * 1000)
    items = [
        Metric(key, value, now, step) for key, values in sorted(histories.items()) for step, value in enumerate(values)
    ]
    for start in range(0, len(items), 1000):
        client.log_batch(run_id, metrics=items[start : start + 1000])

"""Baseline for `make bench`: the same training and logging as `mlp run`, as a plain script.

It loads the same dataset, builds the same features and model from the project's src/, runs the
same cross-validation, fits the final model and logs params, metrics and the model to the same
MLflow store, with none of mlp's checks, fingerprints or sandbox. The ratio of `mlp run` to this
script is mlp's fixed overhead.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import yaml
from sklearn.metrics import f1_score, log_loss, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold


def main(root: Path) -> None:
    config = yaml.safe_load((root / "configs/experiment.yaml").read_text())
    sys.path.insert(0, str(root / "src"))
    from features import build_features  # noqa: PLC0415 - project code, imported like the trainer does
    from model import build_model  # noqa: PLC0415

    dataset = root / "data/shadow" / config["dataset_version"]
    df = pd.concat([pd.read_parquet(p) for p in sorted(dataset.glob("*.parquet"))])
    target = config["protected"]["target_column"]
    y = df[target].to_numpy()
    x = build_features(df.drop(columns=[target]), config.get("features") or {})
    seed = config["random_seed"]
    oof = np.zeros(len(y))
    start = time.perf_counter()
    folds = StratifiedKFold(config["evaluation"].get("n_splits", 5), shuffle=True, random_state=seed)
    for train, test in folds.split(x, y):
        model = build_model(config["model_type"], config["hyperparameters"], seed)
        model.fit(x.iloc[train], y[train])
        oof[test] = model.predict_proba(x.iloc[test])[:, 1]
    final = build_model(config["model_type"], config["hyperparameters"], seed)
    final.fit(x, y)
    training_time = time.perf_counter() - start
    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    mlflow.set_experiment("bench/plain-script")
    with mlflow.start_run():
        mlflow.log_params({f"hyperparameters.{k}": v for k, v in config["hyperparameters"].items()})
        predicted = (oof >= 0.5).astype(int)
        mlflow.log_metrics({
            "roc_auc": roc_auc_score(y, oof),
            "log_loss": log_loss(y, oof),
            "f1": f1_score(y, predicted, zero_division=0),
            "precision": precision_score(y, predicted, zero_division=0),
            "recall": recall_score(y, predicted, zero_division=0),
            "training_time_s": training_time,
        })
        mlflow.sklearn.log_model(final, name="model", serialization_format="cloudpickle")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())

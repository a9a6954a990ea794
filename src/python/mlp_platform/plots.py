"""The run's two PNG artifacts, drawn headless with matplotlib's Agg backend."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy
from matplotlib.figure import Figure
from sklearn.metrics import roc_curve

from mlp_platform.plan import shown_class

TOP_FEATURES = 20


def roc_figure(y_true: numpy.ndarray, y_score: numpy.ndarray, auc: float | None, positive_class: object) -> Figure:
    """ROC curve of the out-of-fold predictions (labels 1 = `positive_class`), with the AUC in the
    legend when known and the positive class in the title."""
    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    if len(numpy.unique(y_true)) == 2:
        fpr, tpr, _ = roc_curve(y_true, y_score)
        ax.plot(fpr, tpr, label="out-of-fold" + (f" (AUC {auc:.4f})" if auc is not None else ""))
        ax.legend(loc="lower right")
    else:
        ax.text(0.5, 0.5, "only one class in the scored rows", ha="center")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
    ax.set(xlabel="False positive rate", ylabel="True positive rate", xlim=(0, 1), ylim=(0, 1))
    ax.set_title(f"ROC curve, positive class {shown_class(positive_class)}")
    fig.tight_layout()
    return fig


def plot_roc(
    y_true: numpy.ndarray, y_score: numpy.ndarray, auc: float | None, positive_class: object, path: Path
) -> None:
    """Writes ``roc_figure`` as a PNG at `path`."""
    fig = roc_figure(y_true, y_score, auc, positive_class)
    fig.savefig(path)
    plt.close(fig)


def plot_importance(importances: dict[str, float], path: Path) -> None:
    """Horizontal bars of the largest feature importances (at most TOP_FEATURES)."""
    top = sorted(importances.items(), key=lambda item: item[1], reverse=True)[:TOP_FEATURES]
    fig, ax = plt.subplots(figsize=(6, 1.5 + 0.3 * max(len(top), 1)), dpi=100)
    if top:
        ax.barh([name for name, _ in reversed(top)], [value for _, value in reversed(top)])
        ax.set(xlabel="importance (feature_importances_ or |coef_|)")
    else:
        ax.text(0.5, 0.5, "the estimator has no feature_importances_ or coef_", ha="center")
        ax.set_axis_off()
    ax.set_title("Feature importance")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)

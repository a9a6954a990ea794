"""The model card (card_render, model_card): every section and value from a record, "not recorded"
for what a run lacks, a broken seal at the top, HTML escaped with the plot inlined, and the record
read back through the real MLflow client from a SQLite store."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlp_platform.card_render import (
    NOT_RECORDED,
    ROC_FPR_POINTS,
    fold_spread,
    render_html,
    render_markdown,
    roc_points,
)
from mlp_platform.model_card import collect

PLATFORM = Path(__file__).resolve().parents[1]
RUN = "0123456789abcdef0123456789abcdef"
BASE = "fedcba9876543210fedcba9876543210"
PNG = b"\x89PNG\r\n\x1a\nnot really a plot"


def _summary() -> dict[str, Any]:
    return {
        "summary_version": 1,
        "dataset_hash": "d" * 64,
        "rows": 4,
        "columns": [
            {
                "name": "income",
                "dtype": "float64",
                "kind": "numeric",
                "missing": 1,
                "missing_share": 0.25,
                "distinct": 3,
            },
            {
                "name": "region",
                "dtype": "string",
                "kind": "categorical",
                "missing": 0,
                "missing_share": 0.0,
                "distinct": 2,
                "values": [{"value": "north", "count": 3}, {"value": "south", "count": 1}],
                "values_truncated": False,
            },
        ],
        "target": {
            "column": "default",
            "positive_class": 1,
            "present": True,
            "labelled_rows": 4,
            "positives": 1,
            "positive_rate": 0.25,
        },
    }


def _record(**changes: Any) -> dict[str, Any]:
    params = {
        "dataset_hash": "d" * 64,
        "dataset_schema_hash": "s" * 64,
        "dataset.rows": "4",
        "dataset.columns": "3",
        "feature_pipeline_hash": "f" * 64,
        "project_code_hash": "c" * 64,
        "features.drop_columns": '["customer_id"]',
        "features.log_columns": '["income"]',
        "model_type": "xgboost",
        "random_seed": "42",
        "hyperparameters.max_depth": "4",
        "hyperparameters.n_estimators": "200",
        "dependency_lock_hash": "l" * 64,
        "git_commit": "a" * 40,
        "git_dirty": "false",
        "mlp_build": "0.1.0+ts.x",
        "protected.split_strategy": "stratified_kfold",
        "protected.metric_definition": "roc_auc",
        "protected.target_column": "default",
        "protected.positive_class": "1",
        "evaluation.n_splits": "3",
        "evaluation.threshold": "0.5",
        "reasoning.change_description": "Fewer trees",
        "reasoning.hypothesis_category": "hyperparameter_tuning",
        "reasoning.expected_effect": "improve",
    }
    tags = {
        "client_name": "acme",
        "project_name": "credit",
        "primary_metric": "roc_auc",
        "sandbox": "landlock",
        "use_case": "credit_risk",
        "mlp.operator": "ops@bank.test",
        "mlp.outcome": "neutral",
        "mlp.outcome.method": "paired_t_folds",
        "mlp.baseline.run_id": BASE,
    }
    record: dict[str, Any] = {
        "run": {
            "run_id": RUN,
            "run_name": "fewer-trees",
            "experiment": "acme/credit",
            "status": "FINISHED",
            "start_time": "2026-01-02T03:04:05Z",
            "end_time": "2026-01-02T03:05:00Z",
        },
        "params": params,
        "tags": tags,
        "metrics": {"roc_auc": 0.75, "log_loss": 0.4, "training_time_s": 1.5, "metric_delta": 0.01},
        "folds": {"roc_auc": [0.7, 0.8, 0.75], "log_loss": [0.5, 0.3, 0.4]},
        "seal": [],
        "data_summary": _summary(),
        "roc": {
            "points": [(0.0, 0.1, float("inf"))] + [(f, min(1.0, f + 0.3), 0.5) for f in ROC_FPR_POINTS[1:]],
            "png": PNG,
            "image": "card.roc_curve.png",
        },
        "artifacts": ["mlp/data_summary.json", "plots/roc_curve.png", "mlp/oof_predictions.parquet"],
        "chain": [
            {
                "run_id": RUN,
                "run_name": "fewer-trees",
                "params": params,
                "tags": tags,
                "metrics": {"roc_auc": 0.75, "metric_delta": 0.01},
                "seal": [],
            },
            {
                "run_id": BASE,
                "run_name": "baseline",
                "params": {
                    "reasoning.change_description": "Baseline",
                    "reasoning.hypothesis_category": "model_architecture",
                },
                "tags": {"mlp.outcome": "first", "mlp.outcome.method": "none"},
                "metrics": {"roc_auc": 0.74},
                "seal": [],
            },
        ],
    }
    record.update(changes)
    return record


SECTIONS = (
    "Purpose",
    "Data",
    "Features",
    "Model and hyperparameters",
    "Evaluation",
    "ROC curve",
    "Chain of experiments",
    "Risk checklist",
    "Limitations",
    "Approval",
)


def test_the_markdown_card_has_every_section_in_order_and_every_value() -> None:
    card = render_markdown(_record())
    assert card.startswith("# Model card: acme/credit, run 01234567\n")
    positions = [card.index(f"\n## {name}\n") for name in SECTIONS]
    assert positions == sorted(positions)
    for line in (
        f"- Run: {RUN} (fewer-trees), experiment acme/credit",
        "- Seal: holds (the record is what `mlp run` sealed)",
        f"- Commit: {'a' * 40} (dirty tree: false)",
        "Not promoted: no intended use is recorded. What this run was made to test:",
        "- Change: Fewer trees",
        "- Hypothesis category: hyperparameter_tuning",
        f"- Dataset hash: {'d' * 64}",
        f"- Schema hash: {'s' * 64}",
        "- Rows: 4; columns: 3",
        "- Target rate: 0.250000 (1 of 4 labelled rows are default = 1)",
        "| income | numeric | float64 | 1 | 0.250000 | 3 |  |",
        "| region | categorical | string | 0 | 0.000000 | 2 | north (3), south (1) |",
        f"- Feature pipeline hash: {'f' * 64}",
        '| features.drop_columns | ["customer_id"] |',
        "- Model type: xgboost",
        "| max_depth | 4 |",
        "| n_estimators | 200 |",
        # The primary metric first; mean, sample std, min, max of the folds beside the pooled value.
        "| roc_auc | 0.750000 | 0.750000 | 0.050000 | 0.700000 | 0.800000 | 3 |",
        "| log_loss | 0.400000 | 0.400000 | 0.100000 | 0.300000 | 0.500000 | 3 |",
        "| training_time_s | 1.500000 |  |  |  |  |  |",
        "![ROC curve of run 01234567](card.roc_curve.png)",
        "| 0.00 | 0.000000 | 0.100000 | inf |",
        "| 0.10 | 0.100000 | 0.400000 | 0.500000 |",
        "| 1 | fedcba98 | Baseline | model_architecture | 0.740000 |  | first | holds |",
        "| 2 | 01234567 | Fewer trees | hyperparameter_tuning | 0.750000 | +0.010000 | neutral (paired_t_folds) "
        "| holds |",
        "| 1. Missing data | columns with missing values (share): income 0.250000 |",
        "| 3. Temporal validation | split strategy stratified_kfold |",
        "- Not a temporal split (stratified_kfold): the score says nothing of performance on later data.",
        f"- Trained and scored on 4 rows of dataset {'d' * 64}.",
        "- Not promoted: no one has approved this model for use.",
        "- Promoted (promoted): no",
        "- Approver (card.approver): not recorded",
    ):
        assert line in card.split("\n"), line
    assert "metric_delta |" not in card  # the delta is the chain's, not an evaluation metric
    assert "WARNING" not in card


def test_a_promoted_run_shows_its_intended_use_and_approval() -> None:
    record = _record()
    record["tags"] |= {"promoted": "true", "promotion_timestamp": "2026-02-01T10:00:00Z", "promoted_by": "Jane Doe"}
    record["params"] |= {
        "card.intended_use": "Scoring retail loan applications",
        "card.approver": "Jane Doe",
        "card.approval_time": "2026-02-01T10:00:00Z",
    }
    lines = render_markdown(record).split("\n")
    assert "Intended use: Scoring retail loan applications" in lines
    assert "- Promoted (promoted): true" in lines
    assert "- Promoted by (promoted_by): Jane Doe" in lines
    assert "- Approver (card.approver): Jane Doe" in lines
    assert "- Approval time (card.approval_time): 2026-02-01T10:00:00Z" in lines
    assert "- Promotion time (promotion_timestamp): 2026-02-01T10:00:00Z" in lines
    assert not any(line.startswith("Not promoted") for line in lines)


def test_missing_artifacts_are_said_not_recorded() -> None:
    record = _record(data_summary=None, roc={"points": None, "png": None, "image": None}, artifacts=[], folds={})
    lines = render_markdown(record).split("\n")
    assert "Data summary: not recorded (the run has no artifact mlp/data_summary.json)." in lines
    assert f"- Target rate: {NOT_RECORDED}" in lines
    assert "ROC plot: not recorded (the run has no artifact plots/roc_curve.png)." in lines
    assert "ROC curve points: not recorded (the run has no artifact mlp/oof_predictions.parquet)." in lines
    assert "| 1. Missing data | data summary not recorded |" in lines
    assert "| roc_auc | 0.750000 |  |  |  |  |  |" in lines
    assert "<table>" in render_html(record)


def test_a_broken_seal_an_escape_hatch_and_a_dirty_tree_are_at_the_top_and_in_the_limitations() -> None:
    record = _record(seal=['its record changed since it was sealed: param model_type: sealed "a", store has "b"'])
    record["params"]["git_dirty"] = "true"
    record["tags"]["sandbox"] = "none"
    record["artifacts"].append("mlp/override_entries.txt")
    record["chain"][0]["seal"] = record["seal"]
    card = render_markdown(record)
    first = card.split("\n\n")[1]
    assert first.startswith("> **WARNING:** SEAL CHECK FAILED: ")
    assert 'param model_type: sealed \\"a\\"' not in first and 'param model_type: sealed "a"' in first
    lines = card.split("\n")
    assert "- Seal: BROKEN" in lines
    assert any(line.startswith("- The seal check failed: its record changed") for line in lines)
    assert "- Dirty tree: git_dirty = true; the commit does not hold the code that ran." in lines
    assert "- Escape hatch: the trainer ran unsandboxed (`mlp run --unsandboxed`)" in lines
    assert any(
        line.startswith("- Escape hatch: entries of logs/protected_overrides.log name this run") for line in lines
    )
    assert any(line.startswith("| 2 | 01234567 |") and line.endswith("| BROKEN |") for line in lines)
    html_card = render_html(record)
    assert html_card.index('<p class="warning"><strong>WARNING:</strong> SEAL CHECK FAILED') < html_card.index(
        "<h2>Purpose</h2>"
    )


def test_a_failed_deleted_run_and_a_missing_baseline_are_said() -> None:
    record = _record()
    record["run"]["status"] = "FAILED"
    record["run"]["lifecycle_stage"] = "deleted"
    record["chain"][1] = {"run_id": BASE, "missing": True}
    lines = render_markdown(record).split("\n")
    assert "> **WARNING:** The run ended FAILED, not FINISHED: it produced no model to use." in lines
    assert "> **WARNING:** The run is deleted (in MLflow's trash): someone withdrew it." in lines
    assert "| 1 | fedcba98 | not in the store |  |  |  |  |  |" in lines
    assert any(f"It begins at run {BASE}, which the store does not hold." in line for line in lines)


def test_html_escapes_the_record_and_inlines_the_plot() -> None:
    record = _record()
    record["params"]["reasoning.change_description"] = "<script>alert(1)</script> & more"
    card = render_html(record)
    assert "<script>" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in card
    assert f'src="data:image/png;base64,{base64.b64encode(PNG).decode()}"' in card
    for name in SECTIONS:
        assert f"<h2>{name}</h2>" in card


def test_markdown_table_cells_escape_pipes() -> None:
    record = _record()
    record["params"]["reasoning.change_description"] = "a | b"
    assert "| 2 | 01234567 | a \\| b |" in render_markdown(record)


def test_fold_spread_and_roc_points() -> None:
    assert fold_spread([1.0, 2.0, 3.0]) == {"mean": 2.0, "std": 1.0, "min": 1.0, "max": 3.0}
    assert fold_spread([0.5]) == {"mean": 0.5, "std": 0.0, "min": 0.5, "max": 0.5}
    fpr, tpr, thresholds = [0.0, 0.0, 0.04, 0.3, 1.0], [0.0, 0.2, 0.5, 0.9, 1.0], [float("inf"), 0.9, 0.7, 0.2, 0.01]
    points = roc_points(fpr, tpr, thresholds)
    assert len(points) == len(ROC_FPR_POINTS)
    assert points[0] == (0.0, 0.2, 0.9)  # at FPR 0, the highest TPR the curve reaches
    assert points[ROC_FPR_POINTS.index(0.05)] == (0.04, 0.5, 0.7)
    assert points[ROC_FPR_POINTS.index(0.3)] == (0.3, 0.9, 0.2)
    assert points[-1] == (1.0, 1.0, 0.01)


def test_collect_reads_the_run_through_mlflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    monkeypatch.chdir(tmp_path)
    client = MlflowClient(tracking_uri="sqlite:///mlflow.db")
    experiment = client.create_experiment("acme/credit", artifact_location=(tmp_path / "mlartifacts").as_uri())
    run_id = client.create_run(experiment, tags={"primary_metric": "roc_auc"}).info.run_id
    client.log_param(run_id, "dataset_hash", "d" * 64)
    for step, value in enumerate([0.7, 0.8, 0.75]):
        client.log_metric(run_id, "fold.roc_auc", value, step=step, timestamp=1000)
    # The LoggedModel's link logs each point again (mlflow_fields.log_logged_model).
    client.log_batch(run_id, metrics=[Metric("fold.roc_auc", 0.8, 1000, 1)])
    client.log_metric(run_id, "roc_auc", 0.76)
    summary = tmp_path / "data_summary.json"
    summary.write_text(json.dumps(_summary()), encoding="utf-8")
    client.log_artifact(run_id, str(summary), "mlp")
    client.set_terminated(run_id, "FINISHED")

    record = collect(client, [{"run_id": run_id, "seal": ["no seal"], "missing": False}], "card.roc_curve.png")

    assert record["run"]["status"] == "FINISHED"
    assert record["run"]["lifecycle_stage"] == "active"
    assert record["run"]["experiment"] == "acme/credit"
    assert record["params"]["dataset_hash"] == "d" * 64
    assert record["folds"] == {"roc_auc": [0.7, 0.8, 0.75]}
    assert record["metrics"]["roc_auc"] == 0.76
    assert record["data_summary"] == _summary()
    assert record["roc"] == {"points": None, "png": None, "image": None}
    assert record["artifacts"] == ["mlp/data_summary.json"]
    assert record["seal"] == ["no seal"]
    assert record["chain"][0]["run_id"] == run_id
    assert "ROC plot: not recorded" in render_markdown(record)


def test_the_command_line_refuses_malformed_input() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mlp_platform.model_card"],
        input='{"format": "pdf", "output": "x", "chain": []}',
        capture_output=True,
        text=True,
        cwd=PLATFORM,
        env={"MLFLOW_TRACKING_URI": "sqlite:///unused.db", "PATH": ""},
    )
    assert done.returncode == 2
    assert done.stderr.startswith('model_card: expected {"format": "md"|"html"')

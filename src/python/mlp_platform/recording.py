"""Everything the supervisor writes to MLflow for one run."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import mlflow
import numpy
import pyarrow.parquet
from mlflow.tracking import MlflowClient

from mlp_platform import mlflow_fields, tracking
from mlp_platform.contract import SEAL_ARTIFACT, SEAL_TAG
from mlp_platform.judgement import Scored, judge
from mlp_platform.metrics import compute_metrics, fold_metrics
from mlp_platform.model_export import save_raw_model
from mlp_platform.os_errors import describe
from mlp_platform.owner import owner_tags
from mlp_platform.plan import Plan
from mlp_platform.plots import plot_importance, plot_roc
from mlp_platform.redact import redact_uri
from mlp_platform.sandbox import SandboxReport
from mlp_platform.seal import SealRecord, canonical_seal, hash_artifacts, hash_file, seal_digest
from mlp_platform.store import StoreLease, make_artifact_location_relative
from mlp_platform.system_info import system_params

OVERRIDE_LOG = "logs/protected_overrides.log"
"""The override log, project-relative (src/audit/override_log.ts)."""
OOF_ARTIFACT = "mlp/oof_predictions.parquet"
"""The run's out-of-fold predictions (docs/outcome.md): row_id, fold, label, score."""
OOF_SCHEMA = pyarrow.schema(
    [("row_id", pyarrow.int64()), ("fold", pyarrow.int32()), ("label", pyarrow.int8()), ("score", pyarrow.float64())]
)
OVERRIDE_ENTRIES_ARTIFACT = "mlp/override_entries.txt"
"""The sealed artifact anchoring the run's override-log entries (src/audit/override_anchor.ts)."""

Checkpoint = Callable[[], None]
"""Called between recording steps; raises to stop (an interrupt arrived)."""


@dataclass
class Recorder:
    """One MLflow run of one plan, and what it logged there (what the seal covers)."""

    plan: Plan
    client: MlflowClient
    run_id: str
    experiment_id: str
    sandbox: SandboxReport
    tags: dict[str, str]
    ended: str | None = field(default=None)
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    history: dict[str, list[float]] = field(default_factory=dict)
    """Every value logged of each metric, in step order (what the seal's metric_history holds)."""
    artifacts: dict[str, str] = field(default_factory=dict)
    seal: str | None = field(default=None)
    scored: Scored | None = field(default=None)
    outcome: dict[str, object] | None = field(default=None)
    """The outcome report for mlp (``judgement``), once ``log_outcome`` ran."""

    @classmethod
    def open(cls, plan: Plan, sandbox: SandboxReport, uri: str, lease: StoreLease, checkpoint: Checkpoint) -> Recorder:
        """Gets or creates the experiment and creates the run with the plan's tags and its owner
        (this process, so that a later mlp command can tell whether the run was abandoned).
        `checkpoint` runs just before the run is created: an interrupt until then records nothing."""
        mlflow.set_tracking_uri(uri)
        client = MlflowClient(tracking_uri=uri)
        try:
            experiment_id, created = tracking.experiment_id(client, plan.experiment_name)
            if created:
                make_artifact_location_relative(uri, experiment_id)
            mlflow_fields.mark_classic_ml(client, experiment_id)
            tags = {**plan.tags, **owner_tags(plan.path.parent, plan.project_root), **mlflow_fields.run_tags(plan)}
            if "git_commit" in plan.params:
                tags["mlflow.source.git.commit"] = plan.params["git_commit"]
            checkpoint()
            run = client.create_run(experiment_id, tags=tags, run_name=plan.run_name)
        finally:
            lease.release_init()
        # MLflow names every run (a random name when the plan has none) in this tag.
        tags["mlflow.runName"] = run.info.run_name
        return cls(plan, client, run.info.run_id, experiment_id, sandbox, tags)

    def log_setup(self) -> None:
        """Params from the plan, system facts, sandbox layers, and the plan file itself."""
        params = {
            **self.plan.params,
            **system_params(),
            "sandbox.landlock_abi": str(self.sandbox.landlock_abi),
            "sandbox.network": self.sandbox.network,
            "sandbox.shm": self.sandbox.shm,
            "sandbox.unix_sockets": self.sandbox.unix_sockets,
        }
        self.params.update(tracking.log_params(self.client, self.run_id, params))
        copy = self.plan.scratch_dir / "mlp" / "plan.json"
        if self.plan.path.resolve() != copy.resolve():
            shutil.copyfile(self.plan.path, copy)
        self.client.log_artifact(self.run_id, str(copy), "mlp")
        self.artifacts["mlp/plan.json"] = hash_file(copy)
        self.log_dataset_input()

    def log_dataset_input(self) -> None:
        """The run's dataset as an MLflow dataset input (the UI's Datasets column), digest = the
        dataset hash (``mlflow_fields.dataset_input``). Not sealed: the sealed params carry the hash."""
        self.client.log_inputs(self.run_id, datasets=[mlflow_fields.dataset_input(self.plan)])

    def log_readable_record(self) -> str:
        """After ``log_results``: the trainer's data summary as the artifact ``mlp/data_summary.json``
        (sealed, as every artifact), and the model as an MLflow 3 LoggedModel linked to the run, with
        the run's metrics linked to it (the UI's Models column and Logged models page); returns the
        model ID. The LoggedModel is not sealed: the sealed copy is the run's ``model/`` artifacts."""
        summary = self.plan.out_dir / "data_summary.json"
        self.client.log_artifact(self.run_id, str(summary), "mlp")
        self.artifacts["mlp/data_summary.json"] = hash_file(summary)
        model_type = self.plan.training.model_type
        return mlflow_fields.log_logged_model(
            self.client, self.experiment_id, self.run_id, self.model_dir, model_type, sorted(self.metrics), self.tags
        )

    @property
    def model_dir(self) -> Path:
        """Where the run's MLflow model is built (``model_export.save_raw_model``), in scratch."""
        return self.plan.scratch_dir / "model"

    def log_results(self, checkpoint: Checkpoint) -> dict[str, float]:
        """Metrics from the trainer's out-of-fold predictions, dataset size, plots and the model;
        returns the metrics logged. `checkpoint` runs between the steps."""
        out, training = self.plan.out_dir, self.plan.training
        result = json.loads((out / "result.json").read_text(encoding="utf-8"))
        oof = pyarrow.parquet.read_table(out / "oof.parquet", columns=["row", "y_true", "y_score", "fold"])
        row_id = oof.column("row").to_numpy().astype(numpy.int64)
        y_true = oof.column("y_true").to_numpy().astype(int)
        y_score = oof.column("y_score").to_numpy().astype(float)
        fold = oof.column("fold").to_numpy().astype(numpy.int32)
        metrics = compute_metrics(y_true, y_score, training.metrics, training.threshold)
        metrics["training_time_s"] = float(result["training_time_s"])
        metrics["inference_latency_ms"] = float(result["inference_latency_ms"])
        per_fold = fold_metrics(y_true, y_score, fold, training.metrics, training.threshold)
        checkpoint()
        size = {"dataset.rows": str(result["rows"]), "dataset.columns": str(result["columns"])}
        self.params.update(tracking.log_params(self.client, self.run_id, size))
        tracking.log_metrics(self.client, self.run_id, metrics)
        tracking.log_metric_steps(self.client, self.run_id, per_fold)
        self._remember(metrics, {key: [value] for key, value in metrics.items()})
        self._remember({key: values[-1] for key, values in per_fold.items()}, per_fold)
        primary = training.primary_metric
        self.scored = Scored(metrics[primary], per_fold[f"fold.{primary}"], row_id, y_true, y_score, training.threshold)
        self._log_oof(row_id, fold, y_true, y_score)
        checkpoint()
        plots = self.plan.scratch_dir / "plots"
        auc = metrics.get("roc_auc")
        auc = None if auc is None or numpy.isnan(auc) else auc
        plot_roc(y_true, y_score, auc, training.positive_class, plots / "roc_curve.png")
        importance = json.loads((out / "importance.json").read_text(encoding="utf-8"))
        plot_importance(importance, plots / "feature_importance.png")
        self.client.log_artifacts(self.run_id, str(plots), "plots")
        self.artifacts.update(hash_artifacts(plots, "plots"))
        checkpoint()
        # Built here from the trainer's estimator, without loading it or any project code.
        save_raw_model(self.plan, self.model_dir, self.plan.scratch_dir / "model_files")
        self.client.log_artifacts(self.run_id, str(self.model_dir), "model")
        self.artifacts.update(hash_artifacts(self.model_dir, "model"))
        return metrics

    def _remember(self, latest: dict[str, float], history: dict[str, list[float]]) -> None:
        self.metrics.update(latest)
        self.history.update(history)

    def _log_oof(self, row_id: numpy.ndarray, fold: numpy.ndarray, label: numpy.ndarray, score: numpy.ndarray) -> None:
        """Stores the out-of-fold predictions as ``mlp/oof_predictions.parquet``, by row id, so that
        a later run on the same data can be compared with this one row by row."""
        table = pyarrow.table(
            [row_id.astype(numpy.int64), fold.astype(numpy.int32), label.astype(numpy.int8), score.astype(float)],
            schema=OOF_SCHEMA,
        )
        folder, name = OOF_ARTIFACT.rsplit("/", 1)
        local = self.plan.scratch_dir / "oof" / name
        local.parent.mkdir(parents=True, exist_ok=True)
        pyarrow.parquet.write_table(table, local)
        self.client.log_artifact(self.run_id, str(local), folder)
        self.artifacts[OOF_ARTIFACT] = hash_file(local)

    def log_outcome(self) -> dict[str, object] | None:
        """Judges the run against the plan's baseline (docs/outcome.md) and logs the outcome tags,
        the delta and the test's numbers, before the seal covers them; returns the report for mlp
        (``None`` when the plan asks for no comparison)."""
        comparison = self.plan.comparison
        if comparison is None or self.scored is None:
            return None
        judgement = judge(comparison, self.scored, self.plan.training.split_strategy)
        self.params.update(tracking.log_params(self.client, self.run_id, judgement.params))
        tracking.log_metrics(self.client, self.run_id, judgement.metrics)
        self._remember(judgement.metrics, {key: [value] for key, value in judgement.metrics.items()})
        for key, value in judgement.tags.items():
            self.client.set_tag(self.run_id, key, value)
            self.tags[key] = value
        self.outcome = judgement.report
        return judgement.report

    def seal_finished(self) -> str:
        """Seals the run as FINISHED (docs/seal.md): the digest of what this recorder logged, its
        canonical record as the artifact mlp/seal.json (so a broken seal can say what changed), and
        the digest as the tag ``mlp.seal``, set last. Call just before ``end("FINISHED")``."""
        anchors = self._override_entry_hashes()
        if anchors:
            folder, name = OVERRIDE_ENTRIES_ARTIFACT.rsplit("/", 1)
            anchor_file = self.plan.scratch_dir / "anchors" / name
            anchor_file.parent.mkdir(parents=True, exist_ok=True)
            anchor_file.write_text("".join(f"{digest}\n" for digest in anchors), encoding="utf-8")
            self.client.log_artifact(self.run_id, str(anchor_file), folder)
            self.artifacts[OVERRIDE_ENTRIES_ARTIFACT] = hash_file(anchor_file)
        record = SealRecord(
            run_id=self.run_id,
            status="FINISHED",
            params=dict(self.params),
            tags=dict(self.tags),
            metrics=dict(self.metrics),
            metric_history={key: list(values) for key, values in self.history.items()},
            artifacts=dict(self.artifacts),
        )
        folder, name = SEAL_ARTIFACT.rsplit("/", 1)
        local = self.plan.scratch_dir / "seal" / name
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_text(canonical_seal(record), encoding="utf-8")
        self.client.log_artifact(self.run_id, str(local), folder)
        digest = seal_digest(record)
        self.client.set_tag(self.run_id, SEAL_TAG, digest)
        self.seal = digest
        return digest

    def _override_entry_hashes(self) -> list[str]:
        """The SHA-256 of each line of the override log that names this run (mlp wrote them when
        the run was created), in log order; sealed with the run as an artifact, they anchor the
        entries in the store (src/audit/override_anchor.ts checks them)."""
        try:
            text = (self.plan.project_root / OVERRIDE_LOG).read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        hashes = []
        for line in text.split("\n"):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("run_id") == self.run_id:
                hashes.append(hashlib.sha256(line.encode("utf-8")).hexdigest())
        return hashes

    def end(self, status: str, traceback_text: str | None = None) -> None:
        """Logs the error text (if any) as error/traceback.txt and ends the run with `status`, once:
        a run that has ended is never relabelled, not even one that mlp ended meanwhile (its
        reconciliation judged this run abandoned, say after `.mlp/` was deleted under it). The end
        state is written even if logging the text fails; a full or read-only artifact store costs
        only the text (said on stderr)."""
        if self.ended is not None:
            return
        current = self.client.get_run(self.run_id).info.status
        if current != "RUNNING":
            print(f"supervisor: run {self.run_id} was already ended {current}; it stays so", file=sys.stderr)
            self.ended = current
            return
        try:
            if traceback_text:
                try:
                    self.client.log_text(self.run_id, redact_uri(traceback_text), "error/traceback.txt")
                except OSError as error:  # a full or read-only artifact store: the end state comes first
                    problem = describe(error, root=self.plan.project_root)
                    why = problem.what if problem else error
                    print(redact_uri(f"supervisor: error/traceback.txt not stored: {why}"), file=sys.stderr)
        finally:
            self.client.set_terminated(self.run_id, status)
            self.ended = status

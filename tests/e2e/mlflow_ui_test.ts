/**
 * What the MLflow UI shows of a run (issue 8, item 5): MLflow's own fields, read back with the
 * official MLflow client from a real run of a real template project (docs/mlflow-ui.md).
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { createProject } from "../support/project.ts";

interface UiRecord {
  runName: string;
  userId: string;
  tags: Record<string, string>;
  experimentTags: Record<string, string>;
  datasets: {
    name: string;
    digest: string;
    sourceType: string;
    source: string;
    schema: string;
    tags: Record<string, string>;
  }[];
  modelOutputs: string[];
  models: {
    modelId: string;
    name: string;
    sourceRunId: string;
    status: string;
    tags: Record<string, string>;
    metrics: Record<string, number>;
    artifacts: string[];
  }[];
  metricRows: number;
}

Deno.test("mlp run fills the MLflow UI's Description, Created by, Source, Datasets and Models", async () => {
  const project = await createProject({ rows: 2000 });
  await project.edit("configs/experiment.yaml", "n_splits: 5", "n_splits: 2");
  await project.edit(
    "configs/reasoning.yaml",
    /^change_description: .*$/m,
    'change_description: "Two folds: a faster baseline for the UI check"',
  );
  await project.git(["commit", "--quiet", "-am", "two folds"]);
  const out = await project.mlp(["run"]);
  equal(out.code, 0, out.stderr);
  const runId = out.stdout.trim().split("\n").at(-1)!;
  const commit = (await project.git(["rev-parse", "HEAD"])).stdout.trim();
  const record = await project.python<UiRecord>(`
import json
from mlflow.tracking import MlflowClient
client = MlflowClient("sqlite:///${project.root}/mlflow.db")
run = client.get_run("${runId}")
experiment = client.get_experiment(run.info.experiment_id)
models = client.search_logged_models([run.info.experiment_id])
def files(model_id, path=None):
    out = []
    for f in client.list_logged_model_artifacts(model_id, path):
        out.extend(files(model_id, f.path) if f.is_dir else [f.path])
    return out
print(json.dumps({
    "runName": run.info.run_name, "userId": run.info.user_id, "tags": run.data.tags,
    "experimentTags": experiment.tags,
    "datasets": [{"name": d.dataset.name, "digest": d.dataset.digest, "sourceType": d.dataset.source_type,
                  "source": d.dataset.source, "schema": d.dataset.schema,
                  "tags": {t.key: t.value for t in d.tags}} for d in run.inputs.dataset_inputs],
    "modelOutputs": [o.model_id for o in run.outputs.model_outputs],
    "models": [{"modelId": m.model_id, "name": m.name, "sourceRunId": m.source_run_id, "status": str(m.status), "tags": m.tags,
                "metrics": {x.key: x.value for x in (m.metrics or [])}, "artifacts": sorted(files(m.model_id))}
               for m in models],
    "metricRows": sum(len(client.get_metric_history("${runId}", k)) for k in run.data.metrics),
}))
`);
  const run = await project.readRun(runId);

  // The run's name says what was tried; Description, Created by and Source are MLflow's tags.
  equal(record.runName, "model_architecture-two-folds-a-faster-baseline-for");
  equal(record.tags["mlflow.runName"], record.runName);
  equal(
    record.tags["mlflow.note.content"],
    "Two folds: a faster baseline for the UI check\n\n" +
      "- **Hypothesis category:** model_architecture\n- **Expected effect:** explore\n",
  );
  equal(record.tags["mlflow.user"], run.tags["mlp.operator"]);
  equal(record.userId, run.tags["mlp.operator"]);
  equal(record.tags["mlflow.source.type"], "LOCAL");
  equal(record.tags["mlflow.source.name"], "credit_risk");
  equal(record.tags["mlflow.source.git.commit"], commit);
  equal(record.tags.primary_metric, "roc_auc");
  equal(typeof run.metrics.roc_auc, "number");
  equal(record.experimentTags["mlflow.experimentKind"], "custom_model_development");

  // The dataset input: digest = the dataset hash (MLflow keeps 36 characters), no machine path.
  equal(record.datasets.length, 1);
  const [dataset] = record.datasets;
  equal(dataset.name, "applications");
  equal(dataset.digest, project.datasetHash.slice(0, 36));
  equal(dataset.sourceType, "local");
  deepEqual(JSON.parse(dataset.source), { uri: `data/shadow/${project.datasetHash}` });
  deepEqual(dataset.tags, {
    "mlflow.data.context": "training",
    "mlp.dataset_hash": project.datasetHash,
  });
  const columns = JSON.parse(dataset.schema).mlflow_colspec as { name: string; type: string }[];
  deepEqual(columns.find((c) => c.name === "income"), {
    name: "income",
    type: "double",
    required: true,
  });
  equal(columns.some((c) => c.name === "default"), true);
  equal(record.tags["mlflow.source.name"].includes("/tmp"), false);

  // The model: an MLflow 3 LoggedModel made by the run, linked as its output, with its metrics.
  equal(record.models.length, 1);
  const [model] = record.models;
  deepEqual(record.modelOutputs, [model.modelId]);
  equal(model.name, run.params.model_type);
  equal(model.sourceRunId, runId);
  equal(model.status, "READY");
  deepEqual(
    Object.fromEntries(Object.entries(model.tags).filter(([key]) => key.startsWith("mlflow."))),
    {
      "mlflow.user": run.tags["mlp.operator"],
      "mlflow.source.type": "LOCAL",
      "mlflow.source.name": "credit_risk",
      "mlflow.source.git.commit": commit,
    },
  );
  equal(model.metrics.roc_auc, run.metrics.roc_auc);
  deepEqual(
    model.artifacts.filter((path) => path === "MLmodel" || path.endsWith(".skops")),
    run.artifacts.filter((p) => p === "model/MLmodel" || p.endsWith(".skops")).map((p) =>
      p.slice("model/".length)
    ),
  );
  equal(run.artifacts.filter((path) => path === "model/MLmodel").length, 1);
  // Linking the metrics to the model added no row to the run's history, so the seal holds: one
  // row per metric, and one per fold of each `fold.<metric>`.
  const folds = Number(run.params["evaluation.n_splits"]);
  equal(
    record.metricRows,
    Object.keys(run.metrics).reduce((n, key) => n + (key.startsWith("fold.") ? folds : 1), 0),
  );
  const verified = await project.mlp(["verify-run", "--run", runId]);
  equal(verified.code, 0, verified.stderr);
  match(verified.stdout + verified.stderr, new RegExp(runId));
});

/**
 * What `mlp run` trains and records is what the configs say (issue 6): real projects from the
 * template, real git, uv, MLflow and the sandbox; results read back with the official MLflow client.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { type HyperparameterSpec, loadStandards } from "../../src/config/standards.ts";
import { createProject, type TestProject } from "../support/project.ts";

const RUN_ID = /^[0-9a-f]{32}$/;

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

/**
 * A valid value of a numeric hyperparameter, as YAML text. A `number` gets a whole number written
 * with a decimal point (`1.0`): JSON writes it as `1`, which Python reads as an int, and scikit-learn
 * reads `max_samples=1` as "one row" where `1.0` means "all rows".
 */
function wholeValue(spec: HyperparameterSpec): string {
  const clamp = (v: number) =>
    Math.min(Math.max(v, Math.ceil(spec.min ?? v)), Math.floor(spec.max ?? v));
  return spec.type === "number" ? `${clamp(1)}.0` : String(clamp(3));
}

/** Runs `model_type` with every numeric hyperparameter of its standards set; returns the run ID. */
async function runWith(project: TestProject, model: string, values: Record<string, string>) {
  const lines = Object.entries(values).map(([name, value]) => `  ${name}: ${value}\n`).join("");
  const config = join(project.root, "configs/experiment.yaml");
  const text = (await Deno.readTextFile(config))
    .replace(/^model_type: .*$/m, `model_type: ${model}`)
    .replace(/^hyperparameters:\n(?: {2}.*\n)+/m, `hyperparameters:\n${lines}`);
  await Deno.writeTextFile(config, text);
  const out = await project.mlp(["run"]);
  equal(out.code, 0, out.stderr);
  return lastLine(out.stdout);
}

Deno.test("mlp run: every numeric hyperparameter reaches the estimator and the record with its spec's type", async (t) => {
  const project = await createProject({ rows: 2000 });
  const standards = await loadStandards(join(project.root, "configs/project_standards.yaml"));
  for (const model of standards.allowed_model_types) {
    await t.step(model, async () => {
      const specs = Object.entries(standards.hyperparameters[model])
        .filter(([, spec]) => spec.type === "integer" || spec.type === "number");
      ok(specs.length > 0);
      const values = Object.fromEntries(specs.map(([name, spec]) => [name, wholeValue(spec)]));
      const runId = await runWith(project, model, values);
      const run = await project.readRun(runId);
      const fitted = await project.python<Record<string, string>>(`
import json, mlflow.sklearn
mlflow.set_tracking_uri("sqlite:///${project.root}/mlflow.db")
model = mlflow.sklearn.load_model("runs:/${runId}/model")
estimator = model.steps[-1][1] if hasattr(model, "steps") else model
params = estimator.get_params()
print(json.dumps({name: type(params[name]).__name__ for name in ${
        JSON.stringify(Object.keys(values))
      }}))
`);
      for (const [name, spec] of specs) {
        const python = spec.type === "number" ? "float" : "int";
        equal(fitted[name], python, `${model}.${name} reached the estimator as ${fitted[name]}`);
        equal(run.params[`hyperparameters.${name}`], values[name], `param hyperparameters.${name}`);
      }
    });
  }
});

Deno.test("mlp run: an undefined metric is recorded as NaN, shown as undefined, and exits 0", async (t) => {
  const project = await createProject({ answers: { split_strategy: "temporal_split" } });
  // With the fixture's seed, the latest 0.5 % of the 4,000 applications (25 rows) hold no default:
  // the one test fold has one class, so the supervisor leaves every classification metric undefined.
  await project.edit("configs/experiment.yaml", "test_fraction: 0.2", "test_fraction: 0.005");

  await t.step("the terminal summary says undefined and the run ID is the last line", async () => {
    const out = await project.mlp(["run"]);
    equal(out.code, 0, out.stderr);
    const runId = lastLine(out.stdout);
    match(runId, RUN_ID);
    match(out.stderr, /^ {2}roc_auc {16}undefined$/m);
    match(out.stderr, /^ {2}log_loss {15}undefined$/m);
    match(out.stderr, /^ {2}training_time_s {8}\d+\.\d{6}$/m);
    const stored = await project.python<{ status: string; nan: string[]; time: number }>(`
import json, math, mlflow
from mlflow.tracking import MlflowClient
mlflow.set_tracking_uri("sqlite:///${project.root}/mlflow.db")
run = MlflowClient().get_run("${runId}")
metrics = run.data.metrics
print(json.dumps({"status": run.info.status, "nan": sorted(k for k, v in metrics.items() if math.isnan(v)),
                  "time": metrics["training_time_s"]}))
`);
    deepEqual(stored.nan, ["f1", "log_loss", "precision", "recall", "roc_auc"]);
    equal(stored.status, "FINISHED");
    ok(stored.time > 0);
  });

  await t.step("--json gives null for an undefined metric", async () => {
    const out = await project.mlp(["run", "--json"]);
    equal(out.code, 0, out.stderr);
    const summary = JSON.parse(lastLine(out.stdout));
    equal(summary.status, "FINISHED");
    equal(summary.metrics.roc_auc, null);
    ok(summary.metrics.training_time_s > 0);
  });
});

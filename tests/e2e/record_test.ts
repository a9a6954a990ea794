/**
 * What `mlp run` trains and records is what the configs say (issue 6): real projects from the
 * template, real git, uv, MLflow and the sandbox; results read back with the official MLflow client.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { parse } from "yaml";
import { type HyperparameterSpec, loadStandards } from "../../src/config/standards.ts";
import { mlpBuild } from "../../src/fingerprint/mlp_build.ts";
import { createProject, type TestProject } from "../support/project.ts";

const RUN_ID = /^[0-9a-f]{32}$/;

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

let shared: Promise<TestProject> | undefined;

/** One project (stratified 2-fold) for the tests that change only its configs between runs. */
function sharedProject(): Promise<TestProject> {
  shared ??= createProject({ rows: 2000 }).then(async (project) => {
    await project.edit("configs/experiment.yaml", "n_splits: 5", "n_splits: 2");
    return project;
  });
  return shared;
}

/**
 * Sets `protected.positive_class` to `value` (YAML text) in both the config and the standards, and
 * commits the standards: protected values are read from the standards at HEAD. The commit skips
 * the hook, standing in for a reviewed change of the standards (the reviewed flow, an override run
 * per value, is tested in governance_test.ts; these tests are about what the trainer does).
 */
async function setPositiveClass(project: TestProject, value: string): Promise<void> {
  for (const path of ["configs/experiment.yaml", "configs/project_standards.yaml"]) {
    const file = join(project.root, path);
    const text = await Deno.readTextFile(file);
    ok(/^ {2}positive_class: /m.test(text), `${path} has no positive_class`);
    await Deno.writeTextFile(
      file,
      text.replace(/^ {2}positive_class: .*$/m, `  positive_class: ${value}`),
    );
  }
  const standards = "configs/project_standards.yaml";
  if ((await project.git(["status", "--porcelain", "--", standards])).stdout === "") return;
  await project.git([
    "commit",
    "--quiet",
    "--no-verify",
    "-m",
    `positive_class ${value}`,
    "--",
    standards,
  ]);
}

/** `mlp run` in the project; returns the run ID after checking it FINISHED. */
async function run(project: TestProject): Promise<string> {
  const out = await project.mlp(["run"]);
  equal(out.code, 0, out.stderr);
  return lastLine(out.stdout);
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
  return await run(project);
}

Deno.test("mlp run: every numeric hyperparameter reaches the estimator and the record with its spec's type", async (t) => {
  const project = await sharedProject();
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
import json, mlflow.pyfunc
mlflow.set_tracking_uri("sqlite:///${project.root}/mlflow.db")
model = mlflow.pyfunc.load_model("runs:/${runId}/model").unwrap_python_model().estimator
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

Deno.test("mlp run: the features section is hashed and logged in the order build_features receives it", async () => {
  const project = await sharedProject();
  const before = await project.readRun(await run(project));
  // The template's features.py makes the indicator columns in the order of features.categories.
  const config = join(project.root, "configs/experiment.yaml");
  const text = await Deno.readTextFile(config);
  const employment = text.match(/^ {4}employment_type: .*\n/m)![0];
  const home = text.match(/^ {4}home_ownership: .*\n/m)![0];
  await Deno.writeTextFile(config, text.replace(employment + home, home + employment));
  const runId = await run(project);
  const after = await project.readRun(runId);

  ok(after.params.feature_pipeline_hash !== before.params.feature_pipeline_hash);
  const categories = (json: string) => Object.keys(JSON.parse(json).categories);
  deepEqual(categories(before.params.features_json).slice(0, 2), [
    "employment_type",
    "home_ownership",
  ]);
  deepEqual(categories(after.params.features_json).slice(0, 2), [
    "home_ownership",
    "employment_type",
  ]);
  // The param is the section as written, order included: the run can be rebuilt from its params.
  const written = parse(await Deno.readTextFile(config)).features;
  equal(after.params.features_json, JSON.stringify(written));
  // The model saw the indicator columns in the new order, and scores with the new settings.
  const inputs = await project.python<string[]>(`
import json, mlflow
mlflow.set_tracking_uri("sqlite:///${project.root}/mlflow.db")
path = mlflow.artifacts.download_artifacts("runs:/${runId}/model/artifacts/model_settings.json")
settings = json.load(open(path))
assert json.dumps(settings["features"], separators=(",", ":"), ensure_ascii=False) == ${
    JSON.stringify(after.params.features_json)
  }
print(json.dumps(settings["feature_names"]))
`);
  ok(inputs.indexOf("home_ownership__rent") < inputs.indexOf("employment_type__salaried"));
  equal(before.params.mlp_build, await mlpBuild());
  match(before.params.mlp_build, /^0\.1\.0\+ts\.[0-9a-f]{64}\.py\.[0-9a-f]{64}$/);
  equal(before.params.mlp_version, "0.1.0");
});

Deno.test("mlp run: every metric and the model's probability are of protected.positive_class", async (t) => {
  const project = await sharedProject();

  await t.step("positive_class 0: the model scores the non-default, the common class", async () => {
    await setPositiveClass(project, "0");
    const runId = await run(project);
    const run0 = await project.readRun(runId);
    equal(run0.params["protected.positive_class"], "0");
    const scored = await project.python<{ mean: number; metadata: unknown }>(`
import glob, json, sys, mlflow, numpy, pandas as pd, yaml
sys.path.insert(0, "${project.root}/src")
from features import build_features
mlflow.set_tracking_uri("sqlite:///${project.root}/mlflow.db")
config = yaml.safe_load(open("${project.root}/configs/experiment.yaml"))
model = mlflow.pyfunc.load_model("runs:/${runId}/model")
df = pd.read_parquet(glob.glob("${project.root}/data/shadow/${project.datasetHash}/*.parquet")[0])
scores = numpy.asarray(model.predict(df))
metadata = model.metadata.metadata
print(json.dumps({"mean": float(scores.mean()), "metadata": [metadata["positive_class"], metadata["classes"]]}))
`);
    // About 96 % of the rows are not defaults: the probability of class 0 is high on average.
    ok(scored.mean > 0.8, `mean P(positive) ${scored.mean}`);
    deepEqual(scored.metadata, [0, [1, 0]]);
    ok(run0.metrics.recall > 0.9, `recall of class 0: ${run0.metrics.recall}`);
  });

  await t.step("a class the target does not have: FAILED, naming the classes found", async () => {
    await setPositiveClass(project, '"yes"');
    const out = await project.mlp(["run"]);
    equal(out.code, 1, out.stderr);
    match(
      out.stderr,
      /error: Run [0-9a-f]{32} FAILED: mlp_platform\.fitting\.TrainingRefused: protected\.positive_class is "yes", which is not one of the two classes of target column "default", 0 and 1: set it to the class of the event the model predicts \(a string in quotes, a number without\)\n/,
    );
  });

  await t.step(
    '"1" in the config against 1 in the standards: refused before anything runs',
    async () => {
      await setPositiveClass(project, "1");
      await project.edit(
        "configs/experiment.yaml",
        /^ {2}positive_class: 1$/m,
        '  positive_class: "1"',
      );
      const out = await project.mlp(["run"]);
      equal(out.code, 1, out.stderr);
      equal(out.stdout, "");
      match(
        out.stderr,
        /protected\.positive_class: standards at HEAD say 1 \(an integer\), config has "1" \(a string\)/,
      );
      await setPositiveClass(project, "1");
    },
  );
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
    const undefinedMetrics = ["f1", "log_loss", "precision", "recall", "roc_auc"];
    deepEqual(
      stored.nan,
      [...undefinedMetrics, ...undefinedMetrics.map((m) => `fold.${m}`)].sort(),
    );
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

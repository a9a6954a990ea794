import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { parseStandards } from "../config/standards.ts";
import { parseExperiment } from "../config/experiment.ts";
import { parseReasoning } from "../config/reasoning.ts";
import { buildRunPlan, type RunPlanInputs } from "./plan.ts";

const read = (path: string) => Deno.readTextFile(new URL(path, import.meta.url));
const standards = parseStandards(
  await read("../../configs/project_standards.yaml"),
  "configs/project_standards.yaml",
);
const experiment = parseExperiment(
  await read("../config/testdata/experiment.yaml"),
  "configs/experiment.yaml",
  standards,
);
const reasoning = parseReasoning(
  await read("../config/testdata/reasoning.yaml"),
  "configs/reasoning.yaml",
  standards,
  { agent: false },
);

function inputs(overrides: Partial<RunPlanInputs> = {}): RunPlanInputs {
  return {
    configFile: "configs/experiment.yaml",
    experiment,
    reasoning,
    allowedMetrics: ["f1", "roc_auc", "log_loss"],
    fingerprints: {
      git_commit: "c".repeat(40),
      git_dirty: false,
      dataset_hash: "d".repeat(64),
      dataset_schema_hash: "s".repeat(64),
      dependency_lock_hash: "l".repeat(64),
      feature_pipeline_hash: "f".repeat(64),
      mlp_version: "0.1.0",
    },
    dataset: { dir: `data/shadow/${"d".repeat(64)}`, tables: ["data.parquet"] },
    operator: "ana@bank.test",
    sandbox: "landlock",
    scratchDir: ".mlp/runs/r1/scratch",
    platformDir: ".mlp/platform/abc",
    ...overrides,
  };
}

Deno.test("buildRunPlan() logs the config by YAML path, the fingerprints and the reasoning", () => {
  const plan = buildRunPlan(inputs());
  equal(plan.params.model_type, experiment.model_type);
  equal(plan.params.random_seed, String(experiment.random_seed));
  equal(plan.params["protected.split_strategy"], experiment.protected.split_strategy);
  equal(plan.params["evaluation.metric"], experiment.evaluation.metric);
  equal(plan.params.git_commit, "c".repeat(40));
  equal(plan.params.git_dirty, "false");
  equal(plan.params.dataset_hash, "d".repeat(64));
  equal(plan.params.feature_pipeline_hash, "f".repeat(64));
  // "auto" in the config is replaced by the hash that was computed.
  equal(plan.params.feature_pipeline_version, "f".repeat(64));
  equal(plan.params["reasoning.hypothesis_category"], reasoning.hypothesis_category);
  equal(plan.params["reasoning.change_description"], reasoning.change_description);
});

Deno.test("buildRunPlan() tags the run and names the experiment client/project", () => {
  const plan = buildRunPlan(inputs({ sandbox: "none" }));
  equal(plan.experiment_name, `${experiment.client_name}/${experiment.project_name}`);
  deepEqual(plan.tags, {
    client_name: experiment.client_name,
    project_name: experiment.project_name,
    "mlp.config": "configs/experiment.yaml",
    "mlp.operator": "ana@bank.test",
    sandbox: "none",
    primary_metric: experiment.protected.metric_definition,
  });
  equal(plan.sandbox.mode, "none");
  equal(plan.run_name, null);
});

Deno.test("buildRunPlan() trains on the protected split and metric, primary metric first", () => {
  const plan = buildRunPlan(inputs());
  equal(plan.training.primary_metric, experiment.protected.metric_definition);
  deepEqual(plan.training.metrics, ["roc_auc", "f1", "log_loss"]);
  equal(plan.training.split_strategy, experiment.protected.split_strategy);
  equal(plan.training.target_column, experiment.protected.target_column);
  equal(plan.training.n_splits, experiment.evaluation.n_splits);
});

Deno.test("buildRunPlan() lets the trainer read only src, its dataset and the platform code", () => {
  const plan = buildRunPlan(inputs());
  deepEqual(plan.sandbox.read_paths, [
    "src",
    `data/shadow/${"d".repeat(64)}`,
    ".mlp/platform/abc",
  ]);
  deepEqual(plan.sandbox.write_paths, []);
  equal(plan.project_src, "src");
});

Deno.test("buildRunPlan() holds no machine path and names no store", () => {
  const plan = buildRunPlan(inputs());
  const text = JSON.stringify(plan);
  ok(!/"\//.test(text), text);
  ok(!("tracking_uri" in plan) && !("project_root" in plan), Object.keys(plan).join(", "));
  throws(() => buildRunPlan(inputs({ scratchDir: "/p/.mlp/runs/r1/scratch" })), {
    message: 'buildRunPlan(): "/p/.mlp/runs/r1/scratch" is not project-relative',
  });
});

import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { parseStandards } from "../config/standards.ts";
import { parseExperiment } from "../config/experiment.ts";
import { parseReasoning } from "../config/reasoning.ts";
import { runPlanSchema } from "../contract/plan.ts";
import { buildRunPlan, type RunPlanInputs } from "./plan.ts";
import { defaultRunName } from "./run_name.ts";

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
    hyperparameterSpecs: standards.hyperparameters[experiment.model_type],
    fingerprints: {
      git_commit: "c".repeat(40),
      git_dirty: false,
      git_diff_hash: "e".repeat(64),
      dataset_hash: "d".repeat(64),
      dataset_schema_hash: "s".repeat(64),
      dependency_lock_hash: "l".repeat(64),
      feature_pipeline_hash: "f".repeat(64),
      project_code_hash: "c".repeat(64),
      mlp_version: "0.1.0",
      mlp_build: `0.1.0+ts.${"t".repeat(64)}.py.${"p".repeat(64)}`,
    },
    dataset: { dir: `data/shadow/${"d".repeat(64)}`, tables: ["data.parquet"] },
    operator: "ana@bank.test",
    sandbox: "landlock",
    scratchDir: ".mlp/runs/r1/scratch",
    projectSrc: ".mlp/runs/r1/src",
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
  equal(plan.params.mlp_version, "0.1.0");
  equal(plan.params.mlp_build, `0.1.0+ts.${"t".repeat(64)}.py.${"p".repeat(64)}`);
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
    use_case: "credit_risk",
    "mlp.config": "configs/experiment.yaml",
    "mlp.operator": "ana@bank.test",
    sandbox: "none",
    primary_metric: experiment.protected.metric_definition,
  });
  equal(plan.sandbox.mode, "none");
  equal(plan.run_name, defaultRunName(reasoning));
});

Deno.test("buildRunPlan() trains on the protected split and metric, primary metric first", () => {
  const plan = buildRunPlan(inputs());
  equal(plan.training.primary_metric, experiment.protected.metric_definition);
  deepEqual(plan.training.metrics, ["roc_auc", "f1", "log_loss"]);
  equal(plan.training.split_strategy, experiment.protected.split_strategy);
  equal(plan.training.target_column, experiment.protected.target_column);
  equal(plan.training.n_splits, experiment.evaluation.n_splits);
  equal(plan.training.positive_class, 1);
});

Deno.test("buildRunPlan() lets the trainer read only the code snapshot, its dataset and the platform code", () => {
  const plan = buildRunPlan(inputs());
  deepEqual(plan.sandbox.read_paths, [
    ".mlp/runs/r1/src",
    `data/shadow/${"d".repeat(64)}`,
    ".mlp/platform/abc",
  ]);
  deepEqual(plan.sandbox.write_paths, []);
  equal(plan.project_src, ".mlp/runs/r1/src");
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

Deno.test("buildRunPlan() carries each hyperparameter's spec type and logs a number as a float", () => {
  const whole = parseExperiment(
    (Deno.readTextFileSync(new URL("../config/testdata/experiment.yaml", import.meta.url)))
      .replace("learning_rate: 0.05", "learning_rate: 1.0\n  subsample: 0.5\n  reg_lambda: 1e-7"),
    "configs/experiment.yaml",
    standards,
  );
  const plan = buildRunPlan(inputs({ experiment: whole }));
  deepEqual(plan.training.hyperparameters, {
    max_depth: 6,
    learning_rate: 1,
    subsample: 0.5,
    reg_lambda: 1e-7,
  });
  deepEqual(plan.training.hyperparameter_types, {
    max_depth: "integer",
    learning_rate: "number",
    subsample: "number",
    reg_lambda: "number",
  });
  equal(plan.params["hyperparameters.max_depth"], "6");
  equal(plan.params["hyperparameters.learning_rate"], "1.0");
  equal(plan.params["hyperparameters.subsample"], "0.5");
  equal(plan.params["hyperparameters.reg_lambda"], "1e-7");
});

Deno.test("buildRunPlan() logs the features section as build_features receives it, in its order", () => {
  const text = Deno.readTextFileSync(
    new URL("../config/testdata/experiment.yaml", import.meta.url),
  );
  const reordered = parseExperiment(
    text.replace(
      "  windows: [7, 30]\n  drop_columns: []\n",
      "  drop_columns: []\n  windows: [7, 30]\n",
    ),
    "configs/experiment.yaml",
    standards,
  );
  equal(buildRunPlan(inputs()).params.features_json, '{"windows":[7,30],"drop_columns":[]}');
  const plan = buildRunPlan(inputs({ experiment: reordered }));
  equal(plan.params.features_json, '{"drop_columns":[],"windows":[7,30]}');
  deepEqual(Object.keys(plan.training.features), ["drop_columns", "windows"]);
});

Deno.test("buildRunPlan() writes a plan of the contract, as JSON too", () => {
  for (const overrides of [{}, { sandbox: "none" as const, runName: "baseline" }]) {
    const plan = buildRunPlan(inputs(overrides));
    deepEqual(runPlanSchema.parse(JSON.parse(JSON.stringify(plan))), plan);
  }
});

Deno.test("buildRunPlan() refuses to write a plan the platform would refuse", () => {
  throws(() => buildRunPlan(inputs({ allowedMetrics: ["roc_auc", "gini"] })), {
    message: 'buildRunPlan(): the plan does not fit the contract: field "training.metrics.1": ' +
      'Invalid option: expected one of "roc_auc"|"pr_auc"|"log_loss"|"brier"|"f1"|"precision"|' +
      '"recall"|"accuracy"',
  });
});

Deno.test("buildRunPlan() logs the agent.* params as given, and only those", () => {
  const agentParams = {
    "agent.source": "flags",
    "agent.tokens.total": "5000",
    "agent.cost_usd": "1.25",
  };
  const plan = buildRunPlan(inputs({ agentParams }));
  deepEqual(
    Object.fromEntries(Object.entries(plan.params).filter(([key]) => key.startsWith("agent."))),
    agentParams,
  );
  const none = buildRunPlan(inputs());
  deepEqual(Object.keys(none.params).filter((key) => key.startsWith("agent.")), []);
  throws(
    () => buildRunPlan(inputs({ agentParams: { model_type: "forged" } })),
    /buildRunPlan\(\): "model_type" is not an agent param/,
  );
});

Deno.test("buildRunPlan() names the run from the reasoning unless --run-name gave one", () => {
  equal(buildRunPlan(inputs()).run_name, "regularization-increased-depth-reduced-learning-rate");
  equal(buildRunPlan(inputs({ runName: "ana's try" })).run_name, "ana's try");
});

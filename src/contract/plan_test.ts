import { deepEqual, equal } from "node:assert/strict";
import { isProjectRelative, runPlanSchema } from "./plan.ts";

const PLAN: {
  training: Record<string, unknown> & {
    hyperparameters: Record<string, unknown>;
    hyperparameter_types: Record<string, string>;
  };
  [field: string]: unknown;
} = {
  plan_version: 2,
  experiment_name: "acme/scorecard",
  run_name: null,
  tags: {},
  params: {},
  dataset: { dir: "data/shadow/a", hash: "a", schema_hash: "s", tables: ["data.parquet"] },
  training: {
    model_type: "xgboost",
    hyperparameters: { max_depth: 4, learning_rate: 1 },
    hyperparameter_types: { max_depth: "integer", learning_rate: "number" },
    random_seed: 42,
    features: {},
    target_column: "default",
    date_column: null,
    split_strategy: "stratified_kfold",
    metrics: ["roc_auc", "f1"],
    primary_metric: "roc_auc",
  },
  sandbox: { mode: "landlock", read_paths: ["src"], write_paths: [] },
  project_src: "src",
  scratch_dir: ".mlp/runs/r1/scratch",
  platform_dir: ".mlp/platform/p",
};

function issues(change: (plan: typeof PLAN) => unknown): string[] {
  const plan = structuredClone(PLAN);
  change(plan);
  const result = runPlanSchema.safeParse(plan);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

Deno.test("runPlanSchema fills in the defaults the platform applies to an absent field", () => {
  const training = runPlanSchema.parse(PLAN).training;
  deepEqual(
    [training.n_splits, training.test_fraction, training.threshold, training.positive_class],
    [5, 0.2, 0.5, 1],
  );
});

Deno.test("runPlanSchema holds the rules that tie two fields together", () => {
  deepEqual(issues(() => {}), []);
  deepEqual(issues((plan) => plan.training.primary_metric = "accuracy"), [
    'training.primary_metric: "accuracy" must be one of "training.metrics"',
  ]);
  deepEqual(issues((plan) => plan.training.split_strategy = "temporal_split"), [
    "training.date_column: the temporal split needs a date column",
  ]);
  deepEqual(issues((plan) => plan.training.hyperparameter_types = { max_depth: "integer" }), [
    "training.hyperparameter_types.learning_rate: every hyperparameter, and only those, has a type",
  ]);
  deepEqual(issues((plan) => plan.training.hyperparameters.max_depth = 4.5), [
    "training.hyperparameters.max_depth: must be of type integer",
  ]);
});

Deno.test("runPlanSchema refuses a field it does not define and a path outside the project", () => {
  deepEqual(issues((plan) => Object.assign(plan.training, { colour: "red" })), [
    'training: Unrecognized key: "colour"',
  ]);
  deepEqual(issues((plan) => plan.scratch_dir = "/tmp/scratch"), [
    "scratch_dir: Invalid string: must match pattern " +
    String.raw`/^(?!\/)(?![\s\S]*\\)(?!(?:[\s\S]*\/)?\.\.(?:\/|(?![\s\S])))[\s\S]/`,
  ]);
});

Deno.test("isProjectRelative() accepts a path below the root and nothing else", () => {
  for (const path of ["src", ".mlp/runs/r1", "a/...b", "..a", "a/b.."]) {
    equal(isProjectRelative(path), true, path);
  }
  for (const path of ["", "/etc", "..", "a/..", "a/../b", "a\\b", "a\n/.."]) {
    equal(isProjectRelative(path), false, JSON.stringify(path));
  }
});

import assert from "node:assert/strict";
import { InputError } from "../errors.ts";
import { experimentSchema, parseExperiment } from "./experiment.ts";
import { parseStandards } from "./standards.ts";

const FILE = "configs/experiment.yaml";
const STANDARDS_TEXT = await Deno.readTextFile(
  new URL("../../configs/project_standards.yaml", import.meta.url),
);
const standards = parseStandards(STANDARDS_TEXT, "configs/project_standards.yaml");
const VALID = await Deno.readTextFile(new URL("./testdata/experiment.yaml", import.meta.url));

/** `VALID` with `from` replaced by `to` (which must occur). */
function edit(from: string, to: string, text = VALID): string {
  assert.ok(text.includes(from), `fixture lacks ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

/** The message and details of the InputError that parsing `text` throws. */
function problems(text: string, against = standards): { message: string; details: string[] } {
  try {
    parseExperiment(text, FILE, against);
  } catch (error: unknown) {
    assert.ok(error instanceof InputError, `expected InputError, got ${error}`);
    return { message: error.message, details: error.details };
  }
  assert.fail("expected the config to be refused");
}

/** `text` without the hyperparameter table of `model` in project_standards.yaml. */
function withoutTable(text: string, model: string): string {
  const lines = text.split("\n");
  const start = lines.indexOf(`  ${model}:`);
  assert.ok(start >= 0, `no table for ${model}`);
  let end = start + 1;
  while (end < lines.length && lines[end].startsWith("    ")) end++;
  return [...lines.slice(0, start), ...lines.slice(end)].join("\n");
}

Deno.test("parseExperiment() returns the typed config with defaults filled in", () => {
  assert.deepEqual(parseExperiment(VALID, FILE, standards), {
    project_name: "fraud_model_v1",
    client_name: "bank_x",
    use_case: "credit_risk",
    dataset_version: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    feature_pipeline_version: "auto",
    model_type: "xgboost",
    random_seed: 42,
    hyperparameters: { max_depth: 6, learning_rate: 0.05 },
    features: { windows: [7, 30], drop_columns: [] },
    evaluation: {
      metric: "roc_auc",
      split_strategy: "stratified_kfold",
      n_splits: 5,
      test_fraction: 0.2,
      threshold: 0.5,
    },
    protected: {
      metric_definition: "roc_auc",
      split_strategy: "stratified_kfold",
      target_column: "default",
      positive_class: 1,
    },
  });
});

Deno.test("parseExperiment() defaults features to {} and keeps given evaluation settings", () => {
  const text = edit("features:\n  windows: [7, 30]\n  drop_columns: []\n", "").replace(
    "  split_strategy: stratified_kfold\nprotected:",
    "  split_strategy: stratified_kfold\n  n_splits: 10\n  threshold: 0.3\nprotected:",
  );
  const config = parseExperiment(text, FILE, standards);
  assert.deepEqual(config.features, {});
  assert.deepEqual(config.evaluation, {
    metric: "roc_auc",
    split_strategy: "stratified_kfold",
    n_splits: 10,
    test_fraction: 0.2,
    threshold: 0.3,
  });
});

Deno.test("parseExperiment() names a missing field, its file and the line of its mapping", () => {
  assert.deepEqual(problems(edit("model_type: xgboost\n", "")), {
    message: "configs/experiment.yaml has 1 problem",
    details: [
      'configs/experiment.yaml:1:1: field "model_type" is missing: use one of "xgboost", "lightgbm", "logistic_regression", "random_forest"',
    ],
  });
  assert.deepEqual(problems(edit("  metric: roc_auc\n", "")).details, [
    'configs/experiment.yaml:15:3: field "evaluation.metric" is missing: use one of "roc_auc", "f1", "precision", "recall", "log_loss"',
  ]);
  assert.deepEqual(problems(edit("  target_column: default\n", "")).details, [
    'configs/experiment.yaml:18:3: field "protected.target_column" is missing: write a string',
  ]);
});

Deno.test("parseExperiment() names the allowed model types and suggests the closest", () => {
  assert.deepEqual(problems(edit("model_type: xgboost", "model_type: xgb")).details, [
    'configs/experiment.yaml:6:13: field "model_type": "xgb" is not allowed: use one of "xgboost", "lightgbm", "logistic_regression", "random_forest" (did you mean "xgboost"?)',
  ]);
});

Deno.test("parseExperiment() refuses an unknown key with a suggestion, at any level", () => {
  assert.deepEqual(
    problems(
      edit("random_seed: 42", "random_sed: 42").replace("  metric: roc_auc", "  metrc: roc_auc"),
    ),
    {
      message: "configs/experiment.yaml has 4 problems",
      details: [
        'configs/experiment.yaml:1:1: field "random_seed" is missing: write an integer',
        'configs/experiment.yaml:7:1: field "random_sed" is not allowed here: use one of "project_name", "client_name", "use_case", "dataset_version", "feature_pipeline_version", "model_type", "random_seed", "hyperparameters", "features", "evaluation", "protected" (did you mean "random_seed"?)',
        'configs/experiment.yaml:15:3: field "evaluation.metric" is missing: use one of "roc_auc", "f1", "precision", "recall", "log_loss"',
        'configs/experiment.yaml:15:3: field "evaluation.metrc" is not allowed here: use one of "metric", "split_strategy", "n_splits", "test_fraction", "threshold" (did you mean "metric"?)',
      ],
    },
  );
});

Deno.test("parseExperiment() checks hyperparameters against the model type's specs", () => {
  const text = edit(
    "  max_depth: 6\n  learning_rate: 0.05\n",
    "  max_depth: 40\n  learning_rate: fast\n  max_dept: 3\n  n_estimators: 2.5\n  subsample: 0\n",
  );
  assert.deepEqual(problems(text).details, [
    'configs/experiment.yaml:9:14: field "hyperparameters.max_depth": 40 is above the maximum 16',
    'configs/experiment.yaml:10:18: field "hyperparameters.learning_rate": "fast" is not a number',
    'configs/experiment.yaml:11:3: field "hyperparameters.max_dept" is not a hyperparameter of model_type "xgboost": use one of "max_depth", "learning_rate", "n_estimators", "subsample", "colsample_bytree", "min_child_weight", "reg_lambda", "reg_alpha" (did you mean "max_depth"?)',
    'configs/experiment.yaml:12:17: field "hyperparameters.n_estimators": 2.5 is not an integer',
    'configs/experiment.yaml:13:14: field "hyperparameters.subsample": 0 is below the minimum 0.1',
  ]);
});

Deno.test("parseExperiment() checks hyperparameter choices of the chosen model", () => {
  const text = edit("model_type: xgboost", "model_type: logistic_regression").replace(
    "  max_depth: 6\n  learning_rate: 0.05\n",
    "  C: 1.0\n  class_weight: balance\n",
  );
  assert.deepEqual(problems(text).details, [
    'configs/experiment.yaml:10:17: field "hyperparameters.class_weight": "balance" is not allowed: use one of "none", "balanced" (did you mean "balanced"?)',
  ]);
});

Deno.test("parseExperiment() requires evaluation to equal the protected settings", () => {
  const text = edit("  metric: roc_auc", "  metric: f1").replace(
    "  split_strategy: stratified_kfold\nprotected",
    "  split_strategy: temporal_split\nprotected",
  );
  assert.deepEqual(problems(text).details, [
    'configs/experiment.yaml:15:11: field "evaluation.metric": "f1" differs from protected.metric_definition, "roc_auc": make them equal',
    'configs/experiment.yaml:16:19: field "evaluation.split_strategy": "temporal_split" differs from protected.split_strategy, "stratified_kfold": make them equal',
    'configs/experiment.yaml:18:3: field "protected.date_column" is missing: temporal_split orders rows by it: name the date column',
  ]);
});

Deno.test("parseExperiment() accepts temporal_split with a date column", () => {
  const text =
    VALID.replaceAll("split_strategy: stratified_kfold", "split_strategy: temporal_split") +
    "  date_column: booked_at\n";
  const config = parseExperiment(text, FILE, standards);
  assert.equal(config.protected.date_column, "booked_at");
  assert.equal(config.evaluation.test_fraction, 0.2);
});

Deno.test("parseExperiment() checks formats and ranges of plain fields", () => {
  const text = edit("dataset_version: 9f86", "dataset_version: 9F86")
    .replace("random_seed: 42", "random_seed: -1")
    .replace("client_name: bank_x", "client_name: bank/x")
    .replace("feature_pipeline_version: auto", "feature_pipeline_version: abc123")
    .replace(
      "  split_strategy: stratified_kfold\nprotected",
      "  split_strategy: stratified_kfold\n  n_splits: 1\n  test_fraction: 0\n  threshold: 1\nprotected",
    );
  assert.deepEqual(problems(text).details, [
    'configs/experiment.yaml:3:14: field "client_name": "bank/x" is not a valid name: use letters, digits, "_", "." and "-", starting with a letter or digit (it names the MLflow experiment)',
    'configs/experiment.yaml:4:18: field "dataset_version": "9F86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" is not a dataset hash: use the 64 lowercase hex characters of a directory under data/shadow/ (see `mlp data ls`)',
    'configs/experiment.yaml:5:27: field "feature_pipeline_version": "abc123" is not allowed: use "auto"',
    'configs/experiment.yaml:7:14: field "random_seed": -1 is below the minimum 0',
    'configs/experiment.yaml:17:13: field "evaluation.n_splits": 1 is below the minimum 2',
    'configs/experiment.yaml:18:18: field "evaluation.test_fraction": 0 must be greater than 0',
    'configs/experiment.yaml:19:14: field "evaluation.threshold": 1 must be less than 1',
  ]);
});

Deno.test("parseExperiment() refuses numbers in features that JSON cannot hold", () => {
  assert.deepEqual(problems(edit("windows: [7, 30]", "windows: [7, .inf]")).details, [
    'configs/experiment.yaml:12:16: field "features.windows[1]": Infinity cannot be hashed as JSON: use a finite number or a string',
  ]);
});

Deno.test("parseExperiment() refuses an empty file and a file that is not a mapping", () => {
  assert.deepEqual(problems("# nothing yet\n"), {
    message: "configs/experiment.yaml has 1 problem",
    details: ["configs/experiment.yaml:1:1: the file is empty"],
  });
  assert.deepEqual(problems("- a\n- b\n").details, [
    "configs/experiment.yaml:1:1: the file: a list is not a mapping of fields",
  ]);
});

Deno.test("experimentSchema() takes allowed values and protected fields from the standards", () => {
  let text = STANDARDS_TEXT.replace(
    "allowed_model_types: [xgboost, lightgbm, logistic_regression, random_forest]",
    "allowed_model_types: [lightgbm]",
  ).replace("  target_column: default\n", "  target_column: default\n  date_column: booked_at\n");
  for (const model of ["xgboost", "logistic_regression", "random_forest"]) {
    text = withoutTable(text, model);
  }
  const custom = parseStandards(text, "configs/project_standards.yaml");
  assert.deepEqual(custom.allowed_model_types, ["lightgbm"]);
  assert.equal(experimentSchema(custom).safeParse({}).success, false);
  assert.deepEqual(problems(VALID, custom).details, [
    'configs/experiment.yaml:6:13: field "model_type": "xgboost" is not allowed: use "lightgbm"',
    'configs/experiment.yaml:18:3: field "protected.date_column" is missing: write a string',
  ]);
});

Deno.test("parseExperiment() takes protected.positive_class as an integer or a string, 1 when absent", () => {
  assert.equal(parseExperiment(VALID, FILE, standards).protected.positive_class, 1);
  const at = (value: string) =>
    parseExperiment(
      edit("  target_column: default\n", `  target_column: default\n  positive_class: ${value}\n`),
      FILE,
      standards,
    ).protected.positive_class;
  assert.equal(at("0"), 0);
  assert.equal(at('"bad"'), "bad");
  assert.equal(at('"1"'), "1");
  assert.deepEqual(
    problems(
      edit("  target_column: default\n", "  target_column: default\n  positive_class: 0.5\n"),
    )
      .details,
    [
      'configs/experiment.yaml:21:19: field "protected.positive_class": 0.5 is not an integer or a string: write the class of target_column that is the event, e.g. 1 or "bad"',
    ],
  );
});

Deno.test("parseExperiment() names the allowed use cases for one that is not", () => {
  assert.deepEqual(problems(edit("use_case: credit_risk", "use_case: credit_risks")), {
    message: "configs/experiment.yaml has 1 problem",
    details: [
      'configs/experiment.yaml:1:11: field "use_case": "credit_risks" is not allowed: use one of ' +
      '"credit_risk", "fraud_detection", "churn", "collections", "marketing_response", "other" ' +
      '(did you mean "credit_risk"?)',
    ],
  });
});

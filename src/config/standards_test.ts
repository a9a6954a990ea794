import assert from "node:assert/strict";
import { join } from "node:path";
import { InputError } from "../errors.ts";
import { parse } from "yaml";
import { DEFAULT_USE_CASES, loadStandards, parseStandards } from "./standards.ts";

const FILE = "configs/project_standards.yaml";
const DEFAULTS_URL = new URL("../../configs/project_standards.yaml", import.meta.url);
const DEFAULTS = await Deno.readTextFile(DEFAULTS_URL);

/** `DEFAULTS` with `from` replaced by `to` (which must occur). */
function edit(from: string | RegExp, to: string, text = DEFAULTS): string {
  assert.ok(
    typeof from === "string" ? text.includes(from) : from.test(text),
    `fixture lacks ${from}`,
  );
  return text.replace(from, to);
}

/** The details of the InputError that parsing `text` throws. */
function problems(text: string): string[] {
  try {
    parseStandards(text, FILE);
  } catch (error: unknown) {
    assert.ok(error instanceof InputError, `expected InputError, got ${error}`);
    return error.details;
  }
  assert.fail("expected the standards to be refused");
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

Deno.test("parseStandards() reads mlp's default standards", () => {
  const standards = parseStandards(DEFAULTS, FILE);
  assert.deepEqual(standards.protected_fields, {
    metric_definition: "roc_auc",
    split_strategy: "stratified_kfold",
    target_column: "default",
    positive_class: 1,
  });
  assert.deepEqual(standards.allowed_metrics, ["roc_auc", "f1", "precision", "recall", "log_loss"]);
  assert.deepEqual(standards.allowed_split_strategies, ["stratified_kfold", "temporal_split"]);
  assert.deepEqual(standards.allowed_model_types, [
    "xgboost",
    "lightgbm",
    "logistic_regression",
    "random_forest",
  ]);
  assert.equal(standards.hypothesis_categories.length, 11);
  assert.deepEqual(standards.hyperparameters.xgboost.max_depth, {
    type: "integer",
    min: 1,
    max: 16,
    description: "Maximum tree depth.",
  });
  assert.deepEqual(standards.hyperparameters.random_forest.max_features.choices, [
    "sqrt",
    "log2",
    "none",
  ]);
  assert.deepEqual(Object.keys(standards.hyperparameters), standards.allowed_model_types);
});

Deno.test("parseStandards() refuses unknown keys with a suggestion", () => {
  assert.deepEqual(problems(edit("allowed_metrics:", "allowed_metric:")), [
    'configs/project_standards.yaml:11:1: field "allowed_metrics" is missing: write a list',
    'configs/project_standards.yaml:21:1: field "allowed_metric" is not allowed here: use one of "protected_fields", "allowed_metrics", "allowed_split_strategies", "allowed_model_types", "hypothesis_categories", "allowed_use_cases", "hyperparameters", "code_files", "tracking_store", "metric_directions", "outcome", "agent_pricing", "agent_budget", "backup", "approvers" (did you mean "allowed_metrics"?)',
  ]);
});

Deno.test("parseStandards() requires a direction for every allowed metric, and the outcome thresholds", () => {
  const standards = parseStandards(DEFAULTS, FILE);
  assert.equal(standards.metric_directions.log_loss, "lower");
  assert.equal(standards.metric_directions.roc_auc, "higher");
  assert.deepEqual(standards.outcome, { min_effect: 0.002, confidence: 0.95 });
  assert.deepEqual(problems(edit("  log_loss: lower\n", "")), [
    'configs/project_standards.yaml:100:3: field "metric_directions.log_loss" is missing: every allowed metric needs a direction, "higher" or "lower" (log_loss: lower)',
  ]);
  assert.deepEqual(problems(edit("  log_loss: lower", "  log_loss: down")), [
    'configs/project_standards.yaml:102:13: field "metric_directions.log_loss": "down" is not allowed: use one of "higher", "lower"',
  ]);
  assert.deepEqual(problems(edit("confidence: 0.95", "confidence: 95")), [
    'configs/project_standards.yaml:114:15: field "outcome.confidence": 95 must be less than 1',
  ]);
});

Deno.test("parseStandards() requires the three protected fields", () => {
  assert.deepEqual(problems(edit("  split_strategy: stratified_kfold\n", "")), [
    'configs/project_standards.yaml:12:3: field "protected_fields.split_strategy" is missing: write a string',
  ]);
});

Deno.test("parseStandards() refuses split strategies and model types mlp does not implement", () => {
  const text = edit(
    "allowed_split_strategies: [stratified_kfold, temporal_split]",
    "allowed_split_strategies: [stratified_kfold, group_kfold]",
  ).replace("allowed_model_types: [xgboost,", "allowed_model_types: [catboost, xgboost,");
  assert.deepEqual(problems(text), [
    'configs/project_standards.yaml:25:46: field "allowed_split_strategies[1]": "group_kfold" is not allowed: use one of "stratified_kfold", "temporal_split"',
    'configs/project_standards.yaml:28:23: field "allowed_model_types[0]": "catboost" is not allowed: use one of "xgboost", "lightgbm", "logistic_regression", "random_forest"',
  ]);
});

Deno.test("parseStandards() requires reference values to be allowed and lists to be unique", () => {
  const text = edit("  metric_definition: roc_auc", "  metric_definition: auc")
    .replace("allowed_metrics: [roc_auc, f1,", "allowed_metrics: [roc_auc, f1, F1, f1,");
  assert.deepEqual(problems(text), [
    'configs/project_standards.yaml:12:22: field "protected_fields.metric_definition": "auc" is not in allowed_metrics: use one of "roc_auc", "f1", "F1", "f1", "precision", "recall", "log_loss" (did you mean "roc_auc"?)',
    'configs/project_standards.yaml:21:32: field "allowed_metrics[2]": "F1" is not allowed: use one of "roc_auc", "pr_auc", "log_loss", "brier", "f1", "precision", "recall", "accuracy" (did you mean "f1"?)',
    'configs/project_standards.yaml:21:36: field "allowed_metrics[3]": "f1" is listed twice',
  ]);
});

Deno.test("parseStandards() checks hyperparameter tables and specs", () => {
  const text = edit(
    "    max_depth: { type: integer, min: 1, max: 16, description: Maximum tree depth. }",
    "    max_depth: { type: integer, min: 16, max: 1.5 }\n    gamma: { type: float }\n    3x: { type: string, min: 1, choices: [a, 2] }",
  );
  const renamed = withoutTable(text, "random_forest").replace(
    "\n\n# Which way each metric improves",
    "\n  random_forests: {}\n\n# Which way each metric improves",
  );
  assert.deepEqual(problems(renamed), [
    'configs/project_standards.yaml:60:3: field "hyperparameters.random_forest" is missing: every allowed model type needs its hyperparameter specs (use {} for none)',
    'configs/project_standards.yaml:61:47: field "hyperparameters.xgboost.max_depth.max": 1.5 is not an integer',
    'configs/project_standards.yaml:61:47: field "hyperparameters.xgboost.max_depth.max": 1.5 is below min 16',
    'configs/project_standards.yaml:62:20: field "hyperparameters.xgboost.gamma.type": "float" is not allowed: use one of "integer", "number", "string", "boolean"',
    'configs/project_standards.yaml:63:5: field "hyperparameters.xgboost.3x" is not a Python identifier: use letters, digits and "_", not starting with a digit',
    'configs/project_standards.yaml:63:30: field "hyperparameters.xgboost.3x.min": bounds apply only to integer and number, not string',
    'configs/project_standards.yaml:63:46: field "hyperparameters.xgboost.3x.choices[1]": 2 is not of type string',
    'configs/project_standards.yaml:85:3: field "hyperparameters.random_forests" is not in allowed_model_types: use one of "xgboost", "lightgbm", "logistic_regression", "random_forest" (did you mean "random_forest"?)',
  ]);
});

Deno.test("loadStandards() reads a file and names a missing one", async () => {
  assert.deepEqual(
    await loadStandards(DEFAULTS_URL.pathname, FILE),
    parseStandards(DEFAULTS, FILE),
  );
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(loadStandards(join(dir, "nope.yaml"), FILE), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.message, 'Config file "configs/project_standards.yaml" does not exist');
      assert.equal(
        error.hint,
        "every mlp project has configs/project_standards.yaml: restore it from git, or copy mlp's default configs/project_standards.yaml",
      );
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseStandards() takes positive_class as an integer or a string, 1 when absent", () => {
  const without = edit(/^ {2}positive_class: .*\n/m, "");
  assert.equal(parseStandards(without, FILE).protected_fields.positive_class, 1);
  const at = (value: string) =>
    parseStandards(edit(/^ {2}positive_class: .*$/m, `  positive_class: ${value}`), FILE)
      .protected_fields.positive_class;
  assert.equal(at("0"), 0);
  assert.equal(at("bad"), "bad");
  assert.equal(at('"1"'), "1");
  const refused = (value: string) =>
    problems(edit(/^ {2}positive_class: .*$/m, `  positive_class: ${value}`));
  assert.match(
    refused("1.5")[0],
    /field "protected_fields\.positive_class": 1\.5 is not an integer or a string: write the class of target_column that is the event, e.g\. 1 or "bad"$/,
  );
  assert.match(refused("true")[0], /field "protected_fields\.positive_class": true is not/);
  assert.match(refused('""')[0], /field "protected_fields\.positive_class": "" must not be empty$/);
});

Deno.test("parseStandards() takes code_files.max_file_bytes, 200000 when absent, a positive integer", () => {
  assert.deepEqual(parseStandards(DEFAULTS, FILE).code_files, { max_file_bytes: 200_000 });
  const without = edit(/\n# What src\/ and configs\/ may hold[\s\S]*$/, "\n");
  assert.deepEqual(parseStandards(without, FILE).code_files, { max_file_bytes: 200_000 });
  assert.deepEqual(
    parseStandards(edit("max_file_bytes: 200000", "max_file_bytes: 5000"), FILE).code_files,
    { max_file_bytes: 5000 },
  );
  assert.equal(problems(edit("max_file_bytes: 200000", "max_file_bytes: 0")).length, 1);
  assert.equal(problems(edit("max_file_bytes: 200000", "max_file_bytes: 1.5")).length, 1);
});

Deno.test("the template's use_case question offers exactly the default allowed_use_cases", async () => {
  const copier = parse(await Deno.readTextFile(new URL("../../copier.yml", import.meta.url)));
  const defaults = await loadStandards(
    new URL("../../configs/project_standards.yaml", import.meta.url).pathname,
  );
  assert.deepEqual(copier.use_case.choices, defaults.allowed_use_cases);
  assert.deepEqual(defaults.allowed_use_cases, [...DEFAULT_USE_CASES]);
});

Deno.test("parseStandards() reads approvers: none by default; identity, key and may are checked", () => {
  assert.deepEqual(parseStandards(DEFAULTS.replace(/^approvers: \[\]$/m, ""), FILE).approvers, []);
  const key =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPsuTsSm8yDcFHtLlVK8RPyyPdFFOAe1DebrmWanys3b jane";
  const approver = (identity: string, pub: string, may: string) =>
    edit(
      /^approvers: \[\]$/m,
      `approvers:\n  - identity: ${identity}\n    key: "${pub}"\n    may: ${may}`,
    );
  assert.deepEqual(
    parseStandards(approver("jane@bank.example", key, "[override, promotion]"), FILE).approvers,
    [{ identity: "jane@bank.example", key, may: ["override", "promotion"] }],
  );
  const bad = problems(approver("jane,mallory@bank.example", "AAAA jane", "[deploy]"));
  const line = DEFAULTS.split("\n").indexOf("approvers: []") + 2;
  assert.deepEqual(bad, [
    `${FILE}:${line}:15: field "approvers[0].identity": "jane,mallory@bank.example" is not an ` +
    "approver identity: use the e-mail the approver's git user.email (or MLP_OPERATOR) gives, " +
    "without spaces, commas, quotes or wildcards",
    `${FILE}:${line + 1}:10: field "approvers[0].key": "AAAA jane" is not an SSH public key: ` +
    `paste the one line of the approver's .pub file, e.g. "ssh-ed25519 AAAAC3Nza… jane@bank"`,
    `${FILE}:${line + 2}:11: field "approvers[0].may[0]": "deploy" is not allowed: use one of ` +
    '"override", "promotion"',
  ]);
});

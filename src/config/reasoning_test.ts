import assert from "node:assert/strict";
import { InputError } from "../errors.ts";
import { z } from "zod";
import { isAgentOperator, parseReasoning, reasoningSchema } from "./reasoning.ts";
import { parseStandards } from "./standards.ts";

const FILE = "configs/reasoning.yaml";
const standards = parseStandards(
  await Deno.readTextFile(new URL("../../configs/project_standards.yaml", import.meta.url)),
  "configs/project_standards.yaml",
);
const VALID = await Deno.readTextFile(new URL("./testdata/reasoning.yaml", import.meta.url));

/** The details of the InputError that parsing `text` throws. */
function problems(text: string, agent: boolean): string[] {
  try {
    parseReasoning(text, FILE, standards, { agent });
  } catch (error: unknown) {
    assert.ok(error instanceof InputError, `expected InputError, got ${error}`);
    assert.match(error.message, /^configs\/reasoning\.yaml has \d problems?$/);
    return error.details;
  }
  assert.fail("expected the reasoning to be refused");
}

Deno.test("parseReasoning() returns the typed reasoning", () => {
  assert.deepEqual(parseReasoning(VALID, FILE, standards, { agent: true }), {
    hypothesis_category: "regularization",
    change_description: "Increased depth + reduced learning rate",
    expected_effect: "reduce_variance",
  });
});

Deno.test("parseReasoning() lets a person omit expected_effect and outcome", () => {
  const text = "hypothesis_category: ensemble\nchange_description: Average two models\n";
  assert.deepEqual(parseReasoning(text, FILE, standards, { agent: false }), {
    hypothesis_category: "ensemble",
    change_description: "Average two models",
    expected_effect: null,
  });
});

Deno.test("parseReasoning() requires expected_effect from an agent", () => {
  const text = "hypothesis_category: ensemble\nchange_description: Average two models\n";
  assert.deepEqual(problems(text, true), [
    'configs/reasoning.yaml:1:1: field "expected_effect" is missing: an agent runs this experiment, so say what the change should do: use one of "improve", "reduce_variance", "explore"',
  ]);
  assert.deepEqual(problems(`${text}expected_effect: null\n`, true).length, 1);
});

const COMPUTED_CLAUSE = (field: string) =>
  `is not yours to write: mlp computes ${field} for every finished run against the best earlier ` +
  "comparable run (docs/outcome.md); delete the line, and correct a computed outcome with " +
  '`mlp outcome RUN_ID confirmed|neutral|negative --reason "…"`';

Deno.test("parseReasoning() checks every field against the standards", () => {
  const text = [
    "hypothesis_category: regularisation",
    'change_description: "  "',
    "expected_effect: better",
    "outcome: positive",
    "metric_delta: large",
    "notes: x",
    "",
  ].join("\n");
  assert.deepEqual(problems(text, false), [
    'configs/reasoning.yaml:1:22: field "hypothesis_category": "regularisation" is not allowed: use one of "feature_addition", "feature_transformation", "feature_removal", "hyperparameter_tuning", "regularization", "model_architecture", "data_cleaning", "data_expansion", "threshold_tuning", "ensemble", "pipeline_refactor" (did you mean "regularization"?)',
    'configs/reasoning.yaml:2:21: field "change_description": "  " is empty: say what was changed and why',
    'configs/reasoning.yaml:3:18: field "expected_effect": "better" is not allowed: use one of "improve", "reduce_variance", "explore"',
    `configs/reasoning.yaml:4:10: field "outcome": "positive" ${COMPUTED_CLAUSE("outcome")}`,
    `configs/reasoning.yaml:5:15: field "metric_delta": "large" ${COMPUTED_CLAUSE("metric_delta")}`,
    'configs/reasoning.yaml:6:1: field "notes" is not allowed here: use one of "hypothesis_category", "change_description", "expected_effect"',
  ]);
});

Deno.test("parseReasoning() refuses a metric_delta or outcome, which mlp computes, and accepts null", () => {
  const text = "hypothesis_category: ensemble\nchange_description: Average two models\n";
  assert.deepEqual(problems(`${text}metric_delta: 0.004\n`, false), [
    `configs/reasoning.yaml:3:15: field "metric_delta": 0.004 ${COMPUTED_CLAUSE("metric_delta")}`,
  ]);
  assert.deepEqual(problems(`${text}outcome: confirmed\n`, false), [
    `configs/reasoning.yaml:3:10: field "outcome": "confirmed" ${COMPUTED_CLAUSE("outcome")}`,
  ]);
  // Files written before mlp computed them carry both as null.
  const old = parseReasoning(`${text}outcome: null\nmetric_delta: null\n`, FILE, standards, {
    agent: false,
  });
  assert.deepEqual(Object.keys(old), [
    "hypothesis_category",
    "change_description",
    "expected_effect",
  ]);
});

Deno.test("the reasoning schema takes its categories from project_standards.yaml, and no computed field", () => {
  const edited = parseStandards(
    "protected_fields: { metric_definition: log_loss, split_strategy: stratified_kfold, target_column: y }\n" +
      "allowed_metrics: [log_loss]\nallowed_split_strategies: [stratified_kfold]\n" +
      "allowed_model_types: [xgboost]\nhypothesis_categories: [pricing, seasonality]\n" +
      "hyperparameters: { xgboost: {} }\nmetric_directions: { log_loss: lower }\n" +
      "outcome: { min_effect: 0.01, confidence: 0.9 }\n",
    "configs/project_standards.yaml",
  );
  assert.throws(
    () =>
      parseReasoning("hypothesis_category: regularization\nchange_description: x\n", FILE, edited, {
        agent: false,
      }),
    (error: InputError) => {
      assert.deepEqual(error.details, [
        'configs/reasoning.yaml:1:22: field "hypothesis_category": "regularization" is not allowed: use one of "pricing", "seasonality"',
      ]);
      return true;
    },
  );
  const ok = parseReasoning("hypothesis_category: pricing\nchange_description: x\n", FILE, edited, {
    agent: false,
  });
  assert.equal(ok.hypothesis_category, "pricing");
  const schema = JSON.stringify(z.toJSONSchema(reasoningSchema(edited)));
  assert.ok(schema.includes('"enum":["pricing","seasonality"]'), schema);
  assert.ok(!schema.includes("metric_delta") && !schema.includes('"outcome"'), schema);
});

Deno.test("isAgentOperator() recognises agents from their environment", () => {
  assert.equal(isAgentOperator({}), false);
  assert.equal(isAgentOperator({ MLP_AGENT: "1" }), true);
  assert.equal(isAgentOperator({ MLP_AGENT: "TRUE" }), true);
  assert.equal(isAgentOperator({ MLP_AGENT: "0" }), false);
  assert.equal(isAgentOperator({ MLP_AGENT: "0", CLAUDECODE: "1" }), true);
  assert.equal(isAgentOperator({ CLAUDECODE: "1" }), true);
  assert.equal(isAgentOperator({ CLAUDECODE: "0" }), false);
  assert.equal(isAgentOperator({ CODEX_SANDBOX: "seatbelt" }), true);
  assert.equal(isAgentOperator({ CODEX_CI: "1" }), true);
  assert.equal(isAgentOperator({ CODEX_CI: "" }), false);
});

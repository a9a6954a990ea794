import assert from "node:assert/strict";
import { InputError } from "../errors.ts";
import { isAgentOperator, parseReasoning } from "./reasoning.ts";
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
    outcome: null,
    metric_delta: null,
  });
});

Deno.test("parseReasoning() lets a person omit expected_effect and outcome", () => {
  const text = "hypothesis_category: ensemble\nchange_description: Average two models\n";
  assert.deepEqual(parseReasoning(text, FILE, standards, { agent: false }), {
    hypothesis_category: "ensemble",
    change_description: "Average two models",
    expected_effect: null,
    outcome: null,
    metric_delta: null,
  });
});

Deno.test("parseReasoning() requires expected_effect from an agent", () => {
  const text = "hypothesis_category: ensemble\nchange_description: Average two models\n";
  assert.deepEqual(problems(text, true), [
    'configs/reasoning.yaml:1:1: field "expected_effect" is missing: an agent runs this experiment, so say what the change should do: use one of "improve", "reduce_variance", "explore"',
  ]);
  assert.deepEqual(problems(`${text}expected_effect: null\n`, true).length, 1);
});

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
    'configs/reasoning.yaml:4:10: field "outcome": "positive" is not allowed: use one of "confirmed", "neutral", "negative"',
    'configs/reasoning.yaml:5:15: field "metric_delta": "large" is not a number',
    'configs/reasoning.yaml:6:1: field "notes" is not allowed here: use one of "hypothesis_category", "change_description", "expected_effect", "outcome", "metric_delta"',
  ]);
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

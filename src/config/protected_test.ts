import assert from "node:assert/strict";
import { InputError } from "../errors.ts";
import { parseExperiment } from "./experiment.ts";
import { findProtectedMismatches, formatMismatches, protectedMismatches } from "./protected.ts";
import { parseStandards } from "./standards.ts";

const FILE = "configs/experiment.yaml";
const standards = parseStandards(
  await Deno.readTextFile(new URL("../../configs/project_standards.yaml", import.meta.url)),
  "configs/project_standards.yaml",
);
const VALID = await Deno.readTextFile(new URL("./testdata/experiment.yaml", import.meta.url));

Deno.test("protectedMismatches() is empty when the config matches the standards", () => {
  assert.deepEqual(protectedMismatches(parseExperiment(VALID, FILE, standards), standards), []);
});

Deno.test("protectedMismatches() lists each differing protected field", () => {
  const text = VALID.replaceAll("roc_auc", "f1").replace(
    "target_column: default",
    "target_column: y",
  );
  assert.deepEqual(protectedMismatches(parseExperiment(text, FILE, standards), standards), [
    { field: "protected.metric_definition", expected: "roc_auc", actual: "f1" },
    { field: "protected.target_column", expected: "default", actual: "y" },
  ]);
});

Deno.test("findProtectedMismatches() reads raw text, with lines, even when it is invalid", () => {
  const text = [
    "model_type: not-a-model",
    "protected:",
    "  metric_definition: roc_auc",
    "  split_strategy: temporal_split",
    "  target_column: [a]",
    "",
  ].join("\n");
  assert.deepEqual(findProtectedMismatches(text, FILE, standards), [
    {
      field: "protected.split_strategy",
      expected: "stratified_kfold",
      actual: "temporal_split",
      line: 4,
    },
    { field: "protected.target_column", expected: "default", actual: "a list", line: 5 },
  ]);
});

Deno.test("findProtectedMismatches() reports absent fields at their section or the file", () => {
  assert.deepEqual(
    findProtectedMismatches(
      "model_type: xgboost\nprotected:\n  target_column: default\n",
      FILE,
      standards,
    ),
    [
      { field: "protected.metric_definition", expected: "roc_auc", actual: undefined, line: 3 },
      {
        field: "protected.split_strategy",
        expected: "stratified_kfold",
        actual: undefined,
        line: 3,
      },
    ],
  );
  assert.deepEqual(findProtectedMismatches("", FILE, standards).map((m) => m.line), [
    undefined,
    undefined,
    undefined,
  ]);
  assert.throws(() => findProtectedMismatches("a: 1\na: 2\n", FILE, standards), InputError);
});

Deno.test("formatMismatches() writes one line per mismatch", () => {
  assert.deepEqual(
    formatMismatches(FILE, [
      {
        field: "protected.split_strategy",
        expected: "stratified_kfold",
        actual: "temporal_split",
        line: 19,
      },
      { field: "protected.target_column", expected: "default", actual: undefined },
    ]),
    [
      'configs/experiment.yaml:19: protected field "protected.split_strategy" is "temporal_split", but configs/project_standards.yaml requires "stratified_kfold"',
      'configs/experiment.yaml: protected field "protected.target_column" is missing, but configs/project_standards.yaml requires "default"',
    ],
  );
});

Deno.test('protected values compare exactly: the string "1" is not the integer 1', () => {
  const quoted = VALID.replace(
    "target_column: default",
    'target_column: default\n  positive_class: "1"',
  );
  assert.deepEqual(protectedMismatches(parseExperiment(quoted, FILE, standards), standards), [
    { field: "protected.positive_class", expected: 1, actual: "1" },
  ]);
  assert.deepEqual(findProtectedMismatches(quoted, FILE, standards), [
    { field: "protected.positive_class", expected: 1, actual: "1", line: 21 },
  ]);
  // Absent is the default, 1.
  assert.deepEqual(findProtectedMismatches(VALID, FILE, standards), []);
  const zero = VALID.replace(
    "target_column: default",
    "target_column: default\n  positive_class: 0",
  );
  assert.deepEqual(findProtectedMismatches(zero, FILE, standards), [
    { field: "protected.positive_class", expected: 1, actual: 0, line: 21 },
  ]);
  assert.deepEqual(
    formatMismatches(FILE, [
      { field: "protected.positive_class", expected: 1, actual: "1", line: 20 },
      { field: "protected.positive_class", expected: "bad", actual: 0 },
    ]),
    [
      'configs/experiment.yaml:20: protected field "protected.positive_class" is "1" (a string), but configs/project_standards.yaml requires 1 (an integer)',
      'configs/experiment.yaml: protected field "protected.positive_class" is 0 (an integer), but configs/project_standards.yaml requires "bad" (a string)',
    ],
  );
});

import assert from "node:assert/strict";
import { InputError } from "../errors.ts";
import { parseExperiment } from "./experiment.ts";
import {
  type ApprovalContext,
  findProtectedMismatches,
  formatMismatches,
  protectedMismatches,
  protectedReference,
  reviewProtectedFields,
  uncommittedNote,
} from "./protected.ts";
import { overrideEntry } from "./testing.ts";
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

const HEAD = "c".repeat(40);
const F1 = VALID.replaceAll("roc_auc", "f1");
const f1Entry = (commit: string) =>
  JSON.parse(overrideEntry("protected.metric_definition", "f1", "roc_auc", commit));

Deno.test("protectedReference() takes the protected fields at HEAD and notes the uncommitted ones", () => {
  const working = {
    ...standards,
    protected_fields: { ...standards.protected_fields, metric_definition: "f1" },
  };
  const reference = protectedReference(working, standards, "configs/project_standards.yaml");
  assert.equal(reference.label, "configs/project_standards.yaml at HEAD");
  assert.deepEqual(reference.standards.protected_fields, standards.protected_fields);
  assert.deepEqual(reference.standards.allowed_metrics, working.allowed_metrics);
  assert.deepEqual(reference.uncommitted, { metric_definition: "f1" });
  const [mismatch] = protectedMismatches(parseExperiment(F1, FILE, working), reference.standards);
  assert.equal(
    uncommittedNote(mismatch, reference),
    ' (the uncommitted configs/project_standards.yaml says "f1": only the committed standards count)',
  );
  // Before the first commit the working standards are the reference.
  const first = protectedReference(working, null, "configs/project_standards.yaml");
  assert.equal(first.label, "configs/project_standards.yaml");
  assert.equal(first.standards, working);
  assert.deepEqual(first.uncommitted, {});
});

Deno.test("reviewProtectedFields(): an entry approves one change, made on top of the commit it ran at", () => {
  const reference = protectedReference(standards, standards, "configs/project_standards.yaml");
  const review = (context: Partial<ApprovalContext>) =>
    reviewProtectedFields(F1, FILE, reference, {
      head: HEAD,
      committedTexts: [VALID],
      entries: [],
      appendedFrom: 0,
      ...context,
    });
  const line = 18;
  const mismatch = {
    field: "protected.metric_definition",
    expected: "roc_auc",
    actual: "f1",
    line,
  };
  // Appended since HEAD and made at HEAD: approved.
  assert.deepEqual(review({ entries: [f1Entry(HEAD)] }), {
    refused: [],
    approved: [{ mismatch, entry: 0 }],
    unusable: [],
  });
  // Made at another commit, or committed before HEAD (an earlier change): refused, saying why.
  assert.deepEqual(review({ entries: [f1Entry("a".repeat(40))] }), {
    refused: [mismatch],
    approved: [],
    unusable: [{
      field: "protected.metric_definition",
      why: 'logs/protected_overrides.log:1 approves "f1" at commit aaaaaaaaaaaa, not at HEAD ' +
        "cccccccccccc: an entry approves one change, in the commit made on top of the commit it ran at",
    }],
  });
  assert.deepEqual(
    review({ entries: [f1Entry(HEAD)], appendedFrom: 1 }).unusable.map((u) => u.why),
    [
      'logs/protected_overrides.log:1 approved "f1" for an earlier change, run at commit ' +
      "cccccccccccc: an entry approves one change, in the commit made on top of the commit it ran at",
    ],
  );
  // From another reference value: refused.
  const fromF1 = { ...f1Entry(HEAD), old: "log_loss" };
  assert.deepEqual(review({ entries: [fromF1] }).refused, [mismatch]);
  // Before the first commit no run can have approved anything.
  assert.deepEqual(
    review({ head: null, committedTexts: [null], entries: [f1Entry(HEAD)] }).refused,
    [
      mismatch,
    ],
  );
  // A value the config had at HEAD (or MERGE_HEAD) was approved when committed: the log's entry
  // of it still approves it.
  assert.deepEqual(
    review({ committedTexts: [F1], entries: [f1Entry("a".repeat(40))], appendedFrom: 1 }).approved,
    [{ mismatch, entry: 0 }],
  );
  assert.deepEqual(
    review({ committedTexts: [VALID, F1], entries: [f1Entry("a".repeat(40))], appendedFrom: 1 })
      .approved,
    [{ mismatch, entry: 0 }],
  );
  assert.deepEqual(review({ committedTexts: [F1], entries: [] }).refused, [mismatch]);
});

Deno.test("reviewProtectedFields() approves an integer protected value by an entry of that integer", () => {
  const reference = protectedReference(standards, standards, "configs/project_standards.yaml");
  const zero = VALID.replace(
    "target_column: default",
    "target_column: default\n  positive_class: 0",
  );
  const entry = { ...f1Entry(HEAD), field: "protected.positive_class", old: 1, new: 0 };
  const review = reviewProtectedFields(zero, FILE, reference, {
    head: HEAD,
    committedTexts: [VALID],
    entries: [entry, { ...entry, new: "0" }],
    appendedFrom: 0,
  });
  assert.deepEqual(review.refused, []);
  assert.equal(review.approved[0].entry, 0);
});

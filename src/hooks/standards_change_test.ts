import assert from "node:assert/strict";
import type { OverrideEntry } from "../audit/override_log.ts";
import { InputError } from "../errors.ts";
import { approversChange, referenceChanges, unapprovedChanges } from "./standards_change.ts";

const FILE = "configs/project_standards.yaml";
const HEAD = "a".repeat(40);
const fields = (body: string) => `allowed_metrics: [roc_auc]\nprotected_fields:\n${body}`;

function entry(field: string, value: OverrideEntry["new"]): OverrideEntry {
  return {
    ts: "2026-01-01T00:00:00.000Z",
    kind: "protected_override",
    field,
    old: "x",
    new: value,
    operator: "ana@example.com",
    config: "configs/experiment.yaml",
    reason: "approved",
    commit: "a".repeat(40),
    run_id: "b".repeat(32),
    prev: "0".repeat(64),
  };
}

Deno.test("referenceChanges() lists changed, added and removed fields with their staged lines", () => {
  const before = fields(
    "  metric_definition: roc_auc\n  split_strategy: stratified_kfold\n" +
      "  target_column: default\n",
  );
  const after = fields(
    "  metric_definition: roc_auc\n  split_strategy: temporal_split\n" +
      "  date_column: 2024\n",
  );
  assert.deepEqual(referenceChanges(before, after, FILE), [
    { name: "split_strategy", old: "stratified_kfold", new: "temporal_split", line: 4 },
    { name: "date_column", old: undefined, new: 2024, line: 5 },
    { name: "target_column", old: "default", new: undefined, line: 2 },
  ]);
  assert.deepEqual(referenceChanges(before, `# comment\n${before}`, FILE), []);
  assert.equal(referenceChanges(before, "allowed_metrics: [f1]\n", FILE).length, 3);
});

Deno.test("referenceChanges() finds nothing to protect without committed standards, and refuses staged non-YAML", () => {
  const after = fields("  split_strategy: temporal_split\n");
  assert.deepEqual(referenceChanges(null, after, FILE), []);
  assert.deepEqual(referenceChanges("a: [unclosed\n", after, FILE), []);
  assert.throws(() => referenceChanges(after, "a: [unclosed\n", FILE), InputError);
});

Deno.test("unapprovedChanges() needs a protected_override of the field to the staged value, made at HEAD", () => {
  const changed = { name: "split_strategy", old: "a", new: "b", line: 4 };
  const removed = { name: "date_column", old: "day", new: undefined, line: 2 };
  const field = "protected.split_strategy";
  assert.deepEqual(unapprovedChanges([changed, removed], [], HEAD), [changed, removed]);
  assert.deepEqual(unapprovedChanges([changed], [entry(field, "b")], HEAD), []);
  assert.deepEqual(unapprovedChanges([changed], [entry(field, "a")], HEAD), [changed]);
  assert.deepEqual(unapprovedChanges([changed], [entry("protected.date_column", "b")], HEAD), [
    changed,
  ]);
  assert.deepEqual(
    unapprovedChanges([changed], [{ ...entry(field, "b"), kind: "unsandboxed" }], HEAD),
    [
      changed,
    ],
  );
  assert.deepEqual(unapprovedChanges([removed], [entry("protected.date_column", "day")], HEAD), [
    removed,
  ]);
  assert.deepEqual(unapprovedChanges([removed], [entry("protected.date_column", null)], HEAD), []);
  // An entry made at another commit approves the commit made on top of that one, not this one.
  assert.deepEqual(unapprovedChanges([changed], [entry(field, "b")], "c".repeat(40)), [changed]);
  assert.deepEqual(unapprovedChanges([changed], [entry(field, "b")], null), [changed]);
});

Deno.test("referenceChanges() compares values exactly and reads an absent positive_class as 1", () => {
  const before = fields("  target_column: default\n");
  assert.deepEqual(
    referenceChanges(before, fields("  target_column: default\n  positive_class: 1\n"), FILE),
    [],
  );
  assert.deepEqual(
    referenceChanges(before, fields('  target_column: default\n  positive_class: "1"\n'), FILE),
    [{ name: "positive_class", old: 1, new: "1", line: 4 }],
  );
  const bad = fields('  target_column: default\n  positive_class: "bad"\n');
  assert.deepEqual(referenceChanges(bad, before, FILE), [
    { name: "positive_class", old: "bad", new: 1, line: 2 },
  ]);
  const quoted = { name: "positive_class", old: 1, new: "1", line: 4 };
  assert.deepEqual(unapprovedChanges([quoted], [entry("protected.positive_class", 1)], HEAD), [
    quoted,
  ]);
  assert.deepEqual(unapprovedChanges([quoted], [entry("protected.positive_class", "1")], HEAD), []);
});

Deno.test("approversChange() finds an added, edited or removed approver, with the section's line", () => {
  const one = 'approvers:\n  - identity: jane@bank.example\n    key: "ssh-ed25519 AAAA jane"\n' +
    "    may: [override]\n";
  assert.equal(approversChange("approvers: []\n", "approvers: []\n", FILE), null);
  assert.equal(approversChange(null, "allowed_metrics: [roc_auc]\n", FILE), null);
  assert.equal(approversChange("allowed_metrics: [roc_auc]\n", "approvers: []\n", FILE), null);
  assert.deepEqual(approversChange("approvers: []\n", `allowed_metrics: [roc_auc]\n${one}`, FILE), {
    line: 2,
  });
  assert.deepEqual(approversChange(one, one.replace("[override]", "[override, promotion]"), FILE), {
    line: 1,
  });
  assert.deepEqual(approversChange(one, "allowed_metrics: [roc_auc]\n", FILE), { line: undefined });
  assert.equal(approversChange(null, one, FILE)?.line, 1);
});

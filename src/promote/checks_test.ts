import { deepEqual, equal, match } from "node:assert/strict";
import type { RunRecord } from "../tracking/run_record.ts";
import {
  alreadyPromoted,
  escapeHatchChecks,
  protectedChecks,
  refusal,
  stateChecks,
} from "./checks.ts";

function run(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    runId: "a".repeat(32),
    experimentId: "1",
    status: "FINISHED",
    lifecycleStage: "active",
    startTime: 1,
    endTime: 2,
    params: {
      git_dirty: "false",
      "protected.metric_definition": "roc_auc",
      "protected.positive_class": "1",
    },
    tags: { sandbox: "landlock" },
    metrics: {},
    ...overrides,
  };
}

Deno.test("a finished run on a clean tree passes the state checks", () => {
  deepEqual(stateChecks(run()), []);
});

Deno.test("a FAILED, deleted or dirty run fails them, each named", () => {
  deepEqual(stateChecks(run({ status: "FAILED" })).map((f) => f.problem), [
    "the run is FAILED, not FINISHED",
  ]);
  deepEqual(stateChecks(run({ lifecycleStage: "deleted" })).map((f) => f.problem), [
    "the run is deleted",
  ]);
  const dirty = stateChecks(run({ params: { git_dirty: "true" } }));
  equal(dirty[0].check, "clean tree");
  match(dirty[0].problem, /^git_dirty is "true"/);
});

Deno.test("protected params are compared as the merge gate compares them, both ways", () => {
  const reference = { metric_definition: "roc_auc", positive_class: 1 };
  deepEqual(protectedChecks(run(), reference, "main"), []);
  const failed = protectedChecks(
    run({ params: { "protected.metric_definition": "pr_auc", "protected.extra": "x" } }),
    reference,
    "main",
  );
  deepEqual(failed.map((f) => f.problem), [
    'protected.metric_definition: run has "pr_auc", the standards have "roc_auc"',
    'protected.positive_class: run has none, the standards have "1"',
    'protected.extra: run has "x", the standards have no such field',
  ]);
  match(failed[0].fix, /project_standards\.yaml on main/);
});

Deno.test("an unsandboxed run and an overridden one each fail the escape-hatch check", () => {
  deepEqual(escapeHatchChecks(run(), 0), []);
  match(escapeHatchChecks(run({ tags: { sandbox: "none" } }), 1)[0].problem, /--unsandboxed/);
  equal(escapeHatchChecks(run({ tags: { sandbox: "none" } }), 1).length, 1);
  match(escapeHatchChecks(run(), 2)[0].problem, /--override-protected \(2 entries/);
});

Deno.test("a finished promotion or a revoked one is not promoted again; an interrupted one is", () => {
  const promoted = run({
    tags: { promoted: "true", promotion_timestamp: "2026-12-07T10:00:00.000Z", promoted_by: "ana" },
  });
  match(alreadyPromoted(promoted, true)[0].problem, /promoted on 2026-12-07T10:00:00\.000Z by ana/);
  deepEqual(alreadyPromoted(promoted, false), []);
  const revoked = run({
    tags: {
      promotion_revoked: "true",
      promotion_revoked_by: "bo",
      promotion_revoked_reason: "drift",
    },
  });
  match(alreadyPromoted(revoked, true)[0].problem, /revoked on .* by bo: "drift"/);
});

Deno.test("the refusal names every failed check once and lists each with its fix", () => {
  const error = refusal("b".repeat(32), [
    { check: "clean tree", problem: "p1", fix: "f1" },
    { check: "protected fields", problem: "p2", fix: "f2" },
    { check: "protected fields", problem: "p3", fix: "f3" },
  ]);
  equal(error.exitCode, 1);
  equal(
    error.message,
    `Run ${"b".repeat(32)} cannot be promoted: checks "clean tree", "protected fields" failed`,
  );
  deepEqual(error.details, [
    "clean tree: p1; fix: f1",
    "protected fields: p2; fix: f2",
    "protected fields: p3; fix: f3",
  ]);
});

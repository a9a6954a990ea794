import { deepEqual } from "node:assert/strict";
import type { RunRecord } from "../tracking/run_record.ts";
import { abandonedRuns } from "./reconcile.ts";

function run(runId: string): RunRecord {
  return {
    runId,
    experimentId: "1",
    status: "RUNNING",
    lifecycleStage: "active",
    startTime: 1,
    endTime: null,
    params: {},
    tags: {},
    metrics: {},
  };
}

Deno.test("abandonedRuns() ends runs whose owner is gone and leaves live and unknown owners", () => {
  deepEqual(
    abandonedRuns([
      run("a".repeat(32)),
      run("b".repeat(32)),
      run("c".repeat(32)),
      run("d".repeat(32)),
    ], [
      { state: "alive" },
      { state: "gone", why: "its supervisor no longer runs" },
      { state: "unknown", why: "another machine's run" },
      null,
    ]),
    {
      abandoned: [{
        runId: "b".repeat(32),
        status: "KILLED",
        reason: "left RUNNING: its supervisor no longer runs; ended by mlp",
      }],
      unjudged: [
        { runId: "c".repeat(32), why: "another machine's run" },
        { runId: "d".repeat(32), why: "it records no owner (it was not started by this mlp)" },
      ],
    },
  );
});

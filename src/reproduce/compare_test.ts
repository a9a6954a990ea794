import { deepEqual, equal } from "node:assert/strict";
import { type ComparedRun, compareRuns, differencesTable } from "./compare.ts";

const point = (step: number, value: number, timestamp = 1) => ({ step, value, timestamp });

function run(overrides: Partial<ComparedRun> = {}): ComparedRun {
  return {
    status: "FINISHED",
    params: { git_commit: "a".repeat(40), random_seed: "42", "agent.model": "m1" },
    metrics: { roc_auc: 0.8125, "fold.roc_auc": 0.8, training_time_s: 3.2, log_loss: NaN },
    history: {
      roc_auc: [point(0, 0.8125)],
      "fold.roc_auc": [point(0, 0.81), point(1, 0.79), point(2, 0.8)],
      training_time_s: [point(0, 3.2)],
      log_loss: [point(0, NaN)],
    },
    ...overrides,
  };
}

Deno.test("identical runs are reproduced; timings, agent and card params are not compared", () => {
  const reproduction = run({
    params: { ...run().params, "agent.model": "m2", "card.approver": "J. Doe" },
    metrics: { ...run().metrics, training_time_s: 9.9, inference_latency_ms: 0.4 },
  });
  deepEqual(compareRuns(run(), reproduction), {
    verdict: "reproduced",
    // status, 3 metrics, 3 steps of fold.roc_auc, 2 params
    compared: 9,
    ignored: ["training_time_s", "inference_latency_ms"],
    differences: [],
  });
});

Deno.test("every difference is listed, status first, then metrics, fingerprints, params", () => {
  const reproduction = run({
    status: "FAILED",
    params: { git_commit: "b".repeat(40), random_seed: "42", "dataset.rows": "10" },
    metrics: { roc_auc: 0.8125000000000001, "fold.roc_auc": 0.8, log_loss: 0.5 },
    history: {
      ...run().history,
      "fold.roc_auc": [point(0, 0.81), point(1, 0.78, 1), point(1, 0.79, 2), point(2, 0.7)],
    },
  });
  deepEqual(compareRuns(run(), reproduction), {
    verdict: "differs",
    compared: 10,
    ignored: ["training_time_s"],
    differences: [
      { name: "status", kind: "status", original: "FINISHED", reproduction: "FAILED" },
      { name: "fold.roc_auc[step 2]", kind: "metric", original: 0.8, reproduction: 0.7 },
      { name: "log_loss", kind: "metric", original: NaN, reproduction: 0.5 },
      { name: "roc_auc", kind: "metric", original: 0.8125, reproduction: 0.8125000000000001 },
      {
        name: "git_commit",
        kind: "fingerprint",
        original: "a".repeat(40),
        reproduction: "b".repeat(40),
      },
      { name: "dataset.rows", kind: "param", original: null, reproduction: "10" },
    ],
  });
});

Deno.test("the table pads each column and shows values in full", () => {
  const lines = differencesTable([
    { name: "roc_auc", kind: "metric", original: 0.8125, reproduction: 0.8125000000000001 },
    { name: "dataset_hash", kind: "fingerprint", original: "ab", reproduction: null },
  ]);
  deepEqual(lines, [
    "name          original  reproduction",
    "roc_auc       0.8125    0.8125000000000001",
    "dataset_hash  ab        (none)",
  ]);
  equal(differencesTable([]).length, 1);
});

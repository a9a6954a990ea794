import assert from "node:assert/strict";
import type { RunRecord } from "../tracking/run_record.ts";
import { foldDifferences, isBetter, rankCandidates } from "./baseline.ts";

const PROTECTED = {
  "protected.metric_definition": "roc_auc",
  "protected.split_strategy": "stratified_kfold",
  "protected.target_column": "default",
  "protected.positive_class": "1",
};
const CURRENT = {
  ...PROTECTED,
  dataset_hash: "d1",
  random_seed: "42",
  "evaluation.n_splits": "5",
  "evaluation.test_fraction": "0.2",
};

function run(id: string, value: number, changes: Partial<RunRecord> = {}, params = {}): RunRecord {
  return {
    runId: id,
    experimentId: "1",
    status: "FINISHED",
    lifecycleStage: "active",
    startTime: Number(id.replace(/\D/g, "")) || 0,
    endTime: null,
    params: { ...CURRENT, ...params },
    tags: {},
    metrics: { roc_auc: value, log_loss: 1 - value },
    ...changes,
  };
}

Deno.test("rankCandidates() puts the best comparable run first, in the metric's direction", () => {
  const runs = [run("r1", 0.70), run("r2", 0.75), run("r3", 0.72)];
  const higher = rankCandidates(runs, { params: CURRENT, metric: "roc_auc", direction: "higher" });
  assert.deepEqual(higher.comparable.map((r) => r.runId), ["r2", "r3", "r1"]);
  const lower = rankCandidates(runs, { params: CURRENT, metric: "log_loss", direction: "lower" });
  assert.deepEqual(lower.comparable.map((r) => r.runId), ["r2", "r3", "r1"]);
  const worst = rankCandidates(runs, { params: CURRENT, metric: "roc_auc", direction: "lower" });
  assert.deepEqual(worst.comparable.map((r) => r.runId), ["r1", "r3", "r2"]);
});

Deno.test("rankCandidates() never makes a run on other data comparable, and lists it apart", () => {
  const runs = [run("r1", 0.70), run("r2", 0.90, {}, { dataset_hash: "d2" })];
  const ranked = rankCandidates(runs, { params: CURRENT, metric: "roc_auc", direction: "higher" });
  assert.deepEqual(ranked.comparable.map((r) => r.runId), ["r1"]);
  assert.deepEqual(ranked.otherData.map((r) => r.runId), ["r2"]);
});

Deno.test("rankCandidates() requires the same protected fields, a finished active run, a value, no reproduction", () => {
  const runs = [
    run("r1", 0.8, {}, { "protected.target_column": "late" }),
    run("r2", 0.8, {}, { "protected.date_column": "day" }),
    run("r3", 0.8, { status: "FAILED" }),
    run("r4", 0.8, { lifecycleStage: "deleted" }),
    run("r5", NaN),
    run("r8", 0.9, { tags: { "mlp.reproduces": "r6" } }),
    run("r6", 0.6),
    run("r7", 0.6),
  ];
  const ranked = rankCandidates(runs, { params: CURRENT, metric: "roc_auc", direction: "higher" });
  // Equal values: the later run first.
  assert.deepEqual(ranked.comparable.map((r) => r.runId), ["r7", "r6"]);
  assert.deepEqual(ranked.otherData, []);
});

Deno.test("foldDifferences() names what moves the folds, the baseline's value first", () => {
  assert.deepEqual(foldDifferences(CURRENT, CURRENT), []);
  assert.deepEqual(
    foldDifferences({ ...CURRENT, random_seed: "7", "evaluation.test_fraction": "0.3" }, CURRENT),
    ["random_seed 7, not 42"],
  );
  const temporal = { ...CURRENT, "protected.split_strategy": "temporal_split" };
  assert.deepEqual(
    foldDifferences({ ...temporal, random_seed: "7", "evaluation.test_fraction": "0.3" }, temporal),
    ["evaluation.test_fraction 0.3, not 0.2"],
  );
});

Deno.test("isBetter() follows the direction and is strict", () => {
  assert.equal(isBetter(0.8, 0.7, "higher"), true);
  assert.equal(isBetter(0.3, 0.4, "lower"), true);
  assert.equal(isBetter(0.4, 0.4, "lower"), false);
});

import { deepEqual, equal, throws } from "node:assert/strict";
import { InputError } from "../errors.ts";
import type { RunRecord } from "../tracking/run_record.ts";
import { cardParams, checkIntendedUse, MAX_INTENDED_USE, metricWithSpread } from "./card_params.ts";

Deno.test("a metric's card value is its pooled value and its spread over the folds", () => {
  equal(
    metricWithSpread(0.81234, [0.8, 0.82, 0.81]),
    "0.8123 (3 folds: mean 0.8100, std 0.0100, min 0.8000, max 0.8200)",
  );
  equal(metricWithSpread(0.5, []), "0.5000");
});

Deno.test("the intended use is required, trimmed and bounded", () => {
  equal(checkIntendedUse("  scoring  "), "scoring");
  throws(() => checkIntendedUse(undefined), InputError);
  throws(() => checkIntendedUse("   "), /requires --intended-use/);
  throws(() => checkIntendedUse("x".repeat(MAX_INTENDED_USE + 1)), /more than 2000/);
});

Deno.test("the card copies the fingerprints and every platform metric the run logged, in fold order", () => {
  const run: RunRecord = {
    runId: "c".repeat(32),
    experimentId: "1",
    status: "FINISHED",
    lifecycleStage: "active",
    startTime: 1,
    endTime: 2,
    params: {
      dataset_hash: "d",
      dataset_schema_hash: "s",
      git_commit: "g",
      dependency_lock_hash: "l",
      feature_pipeline_hash: "f",
      mlp_build: "b",
    },
    tags: {},
    metrics: { roc_auc: 0.8, log_loss: 0.4, training_time_s: 3 },
  };
  const history = {
    "fold.roc_auc": [
      { value: 0.9, step: 1, timestamp: 0 },
      { value: 0.7, step: 0, timestamp: 0 },
    ],
  };
  deepEqual(cardParams(run, history, { intendedUse: "u", approver: "a", time: "t" }), {
    "card.intended_use": "u",
    "card.approver": "a",
    "card.approval_time": "t",
    "card.dataset_hash": "d",
    "card.schema_hash": "s",
    "card.commit": "g",
    "card.dependency_lock_hash": "l",
    "card.feature_pipeline_hash": "f",
    "card.mlp_build": "b",
    "card.metric.roc_auc": "0.8000 (2 folds: mean 0.8000, std 0.1414, min 0.7000, max 0.9000)",
    "card.metric.log_loss": "0.4000",
  });
});

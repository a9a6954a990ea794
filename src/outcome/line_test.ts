import assert from "node:assert/strict";
import type { OutcomeReport } from "../contract/events.ts";
import { elsewhereLine, outcomeLine } from "./line.ts";

const TESTED: OutcomeReport = {
  outcome: "confirmed",
  method: "paired_t_folds",
  metric: "roc_auc",
  value: 0.78123,
  baseline_run_id: "1a2b3c4d".repeat(4),
  delta: 0.00431,
  std_error: 0.00188,
  p_value: 0.0123,
  ci_low: 0.001,
  ci_high: 0.008,
  note: "the same 5 folds: paired t-test over the per-fold scores",
  better_elsewhere: null,
};

Deno.test("outcomeLine() says the metric, the delta, its noise and the outcome", () => {
  assert.equal(
    outcomeLine(TESTED),
    "roc_auc 0.7812  +0.0043 vs 1a2b3c4d (±0.0019, p=0.012): confirmed",
  );
  assert.equal(
    outcomeLine({ ...TESTED, outcome: "negative", delta: -0.02, p_value: 0.0002 }),
    "roc_auc 0.7812  -0.0200 vs 1a2b3c4d (±0.0019, p<0.001): negative",
  );
  assert.equal(
    outcomeLine({ ...TESTED, outcome: "neutral", method: "none", std_error: null, p_value: null }),
    "roc_auc 0.7812  +0.0043 vs 1a2b3c4d (delta only): neutral",
  );
  const first = { ...TESTED, outcome: "first", method: "none", baseline_run_id: null } as const;
  assert.equal(outcomeLine(first), "roc_auc 0.7812  no comparable earlier run: first");
});

Deno.test("elsewhereLine() names the best run on other data, and says it is not compared", () => {
  assert.equal(elsewhereLine(TESTED), null);
  const other = { run_id: "9f".repeat(16), value: 0.81, dataset_hash: "ab".repeat(32) };
  assert.equal(
    elsewhereLine({ ...TESTED, better_elsewhere: other }),
    "mlp: run 9f9f9f9f has roc_auc 0.8100 on other data (dataset abababababab): runs on other " +
      "data are never compared",
  );
});

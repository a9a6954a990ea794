/**
 * The model card's fields as `mlp promote` logs them: params of the run (write-once in MLflow) and
 * tags of the registered version. Pure: everything comes from the run's record.
 *
 * @module
 */
import { PLATFORM_METRICS } from "../contract/lists.ts";
import { InputError } from "../errors.ts";
import type { MetricPoint, RunRecord } from "../tracking/run_record.ts";
import { CARD_PARAMS, cardMetricParam } from "./names.ts";

/** The longest intended use kept: MLflow keeps a param value of up to 6,000 characters. */
export const MAX_INTENDED_USE = 2000;

/** Who approves what, and when. */
export interface Approval {
  intendedUse: string;
  approver: string;
  /** ISO 8601. */
  time: string;
}

/** The run params a card copies, by card param. */
const COPIED: ReadonlyArray<readonly [string, string]> = [
  [CARD_PARAMS.datasetHash, "dataset_hash"],
  [CARD_PARAMS.schemaHash, "dataset_schema_hash"],
  [CARD_PARAMS.commit, "git_commit"],
  [CARD_PARAMS.lockHash, "dependency_lock_hash"],
  [CARD_PARAMS.featureHash, "feature_pipeline_hash"],
  [CARD_PARAMS.mlpBuild, "mlp_build"],
];

/**
 * The intended use, trimmed.
 *
 * @throws {InputError} when it is missing, blank or longer than {@linkcode MAX_INTENDED_USE}.
 */
export function checkIntendedUse(text: string | undefined): string {
  const value = text?.trim() ?? "";
  if (value === "") {
    throw new InputError("mlp promote requires --intended-use", {
      hint: 'say what the model is for and for whom, for the model card: --intended-use "Scoring ' +
        'retail credit applications for the underwriting team"',
    });
  }
  if (value.length > MAX_INTENDED_USE) {
    throw new InputError(
      `--intended-use is ${value.length} characters, more than ${MAX_INTENDED_USE}`,
      { hint: "keep it to what the model is for; limitations belong in the card's review" },
    );
  }
  return value;
}

/**
 * `0.8234 (5 folds: mean 0.8231, std 0.0123, min 0.8011, max 0.8402)`: a metric's pooled value and
 * its spread over the folds (`fold.<metric>`, one value per step); the pooled value alone when the
 * run has no per-fold values.
 */
export function metricWithSpread(pooled: number, folds: readonly number[]): string {
  const shown = (value: number) => value.toFixed(4);
  if (folds.length === 0) return shown(pooled);
  const mean = folds.reduce((sum, v) => sum + v, 0) / folds.length;
  const variance = folds.length > 1
    ? folds.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (folds.length - 1)
    : 0;
  return `${shown(pooled)} (${folds.length} folds: mean ${shown(mean)}, std ${
    shown(Math.sqrt(variance))
  }, min ${shown(Math.min(...folds))}, max ${shown(Math.max(...folds))})`;
}

/**
 * Every card field of `run`: the approval, the fingerprints it was made with, and each evaluation
 * metric it logged with its fold spread (`history`: the run's metric history).
 */
export function cardParams(
  run: RunRecord,
  history: Record<string, MetricPoint[]>,
  approval: Approval,
): Record<string, string> {
  const params: Record<string, string> = {
    [CARD_PARAMS.intendedUse]: approval.intendedUse,
    [CARD_PARAMS.approver]: approval.approver,
    [CARD_PARAMS.approvalTime]: approval.time,
  };
  for (const [card, source] of COPIED) params[card] = run.params[source] ?? "";
  for (const metric of PLATFORM_METRICS) {
    const pooled = run.metrics[metric];
    if (pooled === undefined) continue;
    const folds = [...(history[`fold.${metric}`] ?? [])].sort((a, b) => a.step - b.step)
      .map((p) => p.value);
    params[cardMetricParam(metric)] = metricWithSpread(pooled, folds);
  }
  return params;
}

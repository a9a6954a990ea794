/**
 * Chooses the baseline of a run from the store before the supervisor starts (docs/outcome.md):
 * the best prior comparable run (`baseline.ts`) whose seal holds (`checkSeal`: a record edited
 * since is no baseline), its per-fold scores, and, when the comparison is over rows, a copy of its
 * sealed out-of-fold predictions in the run directory. The result is the plan's `comparison`.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { CheckError } from "../errors.ts";
import { join } from "node:path";
import type { Comparison } from "../contract/plan.ts";
import type { MetricDirection } from "../contract/lists.ts";
import type { OutcomeThresholds } from "../config/standards.ts";
import { checkSeal } from "../tracking/seal.ts";
import { openRunReader, storeFilePath } from "../tracking/reader.ts";
import type { RunReader, RunRecord } from "../tracking/run_record.ts";
import { foldDifferences, isBetter, rankCandidates } from "./baseline.ts";

/** The out-of-fold predictions every run stores (`mlp_platform/recording.py`). */
export const OOF_ARTIFACT = "mlp/oof_predictions.parquet";

/** Inputs of {@linkcode selectComparison}. */
export interface SelectInputs {
  /** The store, or `null` when it holds no run yet (no store file). */
  reader: RunReader | null;
  experimentName: string;
  /** The current run's params as they will be logged (`protected.*`, `dataset_hash`, folds). */
  params: Record<string, string>;
  metric: string;
  direction: MetricDirection;
  thresholds: OutcomeThresholds;
  /** The project root and the run directory (project-relative) the baseline's OOF is copied to. */
  root: string;
  runDir: string;
}

/** The plan's `comparison` for the current run. */
export async function selectComparison(inputs: SelectInputs): Promise<Comparison> {
  const { reader, metric, direction } = inputs;
  const none: Comparison = {
    metric: metric as Comparison["metric"],
    direction,
    min_effect: inputs.thresholds.min_effect,
    confidence: inputs.thresholds.confidence,
    baseline: null,
    better_elsewhere: null,
  };
  if (reader === null) return none;
  const runs = await reader.findFinishedRuns(inputs.experimentName);
  const ranked = rankCandidates(runs, { params: inputs.params, metric, direction });
  const baseline = await firstSealed(reader, ranked.comparable);
  const other = await firstSealed(reader, ranked.otherData);
  const value = (run: RunRecord) => run.metrics[metric];
  const elsewhere = other && (!baseline || isBetter(value(other), value(baseline), direction))
    ? { run_id: other.runId, value: value(other), dataset_hash: other.params.dataset_hash ?? "" }
    : null;
  if (!baseline) return { ...none, better_elsewhere: elsewhere };

  const differ = foldDifferences(baseline.params, inputs.params);
  const history = (await reader.getMetricHistory(baseline.runId))[`fold.${metric}`];
  const foldScores = history
    ? [...history].sort((a, b) => a.step - b.step).map((p) => p.value)
    : null;
  const kfold = inputs.params["protected.split_strategy"] === "stratified_kfold";
  const sameFolds = kfold && differ.length === 0;
  const byFolds = sameFolds && foldScores !== null;
  return {
    ...none,
    baseline: {
      run_id: baseline.runId,
      value: value(baseline),
      fold_scores: foldScores,
      same_folds: sameFolds,
      folds_differ: differ,
      oof: byFolds ? null : await copyOof(reader, baseline.runId, inputs.root, inputs.runDir),
    },
    better_elsewhere: elsewhere,
  };
}

/**
 * The store to choose the baseline from, or `null` when it holds no run yet: a SQLite store whose
 * file does not exist (the supervisor creates it). A tracking server is always opened.
 */
export async function openBaselineStore(
  trackingUri: string,
  root: string,
  env: Record<string, string | undefined>,
): Promise<RunReader | null> {
  const path = storeFilePath(trackingUri, root);
  if (path !== null) {
    try {
      await Deno.stat(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }
  return openRunReader(trackingUri, root, env);
}

/** The first of `runs` whose seal holds (a run edited in the store is passed over). */
async function firstSealed(reader: RunReader, runs: RunRecord[]): Promise<RunRecord | null> {
  for (const run of runs) {
    if ((await checkSeal(reader, run)).length === 0) return run;
  }
  return null;
}

/**
 * Copies the baseline's out-of-fold predictions into the run directory, for the supervisor's
 * paired bootstrap; `null` when the run has none (it was recorded before mlp stored them).
 */
async function copyOof(
  reader: RunReader,
  runId: string,
  root: string,
  runDir: string,
): Promise<{ path: string; sha256: string } | null> {
  const bytes = await reader.readArtifact(runId, OOF_ARTIFACT);
  if (bytes === null) return null;
  const path = `${runDir}/baseline_oof.parquet`;
  await Deno.writeFile(join(root, path), bytes);
  return { path, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/**
 * The comparison a run's plan recorded, made again for a reproduction of it (`mlp reproduce`): the
 * same baseline, values and thresholds, so the outcome is judged as it was; only the copy of the
 * baseline's out-of-fold predictions is taken anew, into this run's directory, and must be the
 * bytes the recorded plan hashed.
 *
 * @throws {CheckError} when the baseline's out-of-fold predictions are gone or changed.
 */
export async function recordedComparison(
  reader: RunReader,
  recorded: Comparison,
  root: string,
  runDir: string,
): Promise<Comparison> {
  const baseline = recorded.baseline;
  if (baseline === null || baseline.oof === null) return recorded;
  const copied = await copyOof(reader, baseline.run_id, root, runDir);
  if (copied === null || copied.sha256 !== baseline.oof.sha256) {
    throw new CheckError(
      `The baseline ${baseline.run_id}'s ${OOF_ARTIFACT} is ${
        copied === null ? "gone" : `not the one the run was judged with (SHA-256 ${copied.sha256})`
      }: the outcome cannot be judged again`,
      {
        hint: `the recorded plan hashed it as ${baseline.oof.sha256}; restore the store from a ` +
          "backup (`mlp backup`) to reproduce this run",
      },
    );
  }
  return { ...recorded, baseline: { ...baseline, oof: copied } };
}

/**
 * Which prior runs a run can be compared with (docs/outcome.md), pure: the candidates are ranked
 * here, their seals are checked by `select.ts`, which reads the store.
 *
 * A run is comparable when it is a FINISHED run of the same experiment (`<client>/<project>`)
 * with the same protected fields (metric, split strategy, target, positive class, date column:
 * every `protected.*` param) and the same `dataset_hash`. The best of them, in the metric's
 * direction, is the baseline. A run with the same protected fields on other data is never the
 * baseline; the best of those is only mentioned when it beats the baseline.
 *
 * @module
 */
import { type MetricDirection, REPRODUCES_TAG } from "../contract/lists.ts";
import type { RunRecord } from "../tracking/run_record.ts";

/** What of the current run decides which prior runs compare with it. */
export interface CurrentRun {
  /** The run's params that decide comparability and folds, as `mlp run` logs them. */
  params: Record<string, string>;
  metric: string;
  direction: MetricDirection;
}

/** The prior runs a run may be compared with, best first. */
export interface Ranked {
  /** Same protected fields and dataset: baseline candidates. */
  comparable: RunRecord[];
  /** Same protected fields, other data: never the baseline. */
  otherData: RunRecord[];
}

/** The params that decide which rows fold i scores, besides the dataset and protected fields. */
const FOLD_PARAMS = ["random_seed", "evaluation.n_splits", "evaluation.test_fraction"] as const;

/**
 * Ranks `runs` (any runs of the experiment) for `current`: FINISHED, active, not a reproduction
 * (`mlp reproduce`'s remake of a run is no experiment of its own), with every `protected.*` param
 * equal to the current run's (and no other), and a finite value of the
 * metric; best first in the metric's direction, the later run first among equals.
 */
export function rankCandidates(runs: RunRecord[], current: CurrentRun): Ranked {
  const sign = current.direction === "higher" ? 1 : -1;
  const usable = runs.filter((run) =>
    run.status === "FINISHED" && run.lifecycleStage === "active" &&
    run.tags[REPRODUCES_TAG] === undefined && sameProtected(run.params, current.params) &&
    Number.isFinite(run.metrics[current.metric])
  ).sort((a, b) =>
    sign * (b.metrics[current.metric] - a.metrics[current.metric]) ||
    (b.startTime ?? 0) - (a.startTime ?? 0)
  );
  const dataset = current.params.dataset_hash;
  return {
    comparable: usable.filter((run) => run.params.dataset_hash === dataset),
    otherData: usable.filter((run) => run.params.dataset_hash !== dataset),
  };
}

function sameProtected(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = (params: Record<string, string>) =>
    Object.keys(params).filter((key) => key.startsWith("protected.")).sort();
  const mine = keys(b);
  return JSON.stringify(keys(a)) === JSON.stringify(mine) && mine.every((key) => a[key] === b[key]);
}

/**
 * What makes the baseline's folds differ from the current run's, as "random_seed 7, not 42"
 * (the baseline's value first); empty when they are the same folds. The dataset and the protected
 * fields (split strategy, target, date column) are equal already: comparability requires them.
 */
export function foldDifferences(
  baseline: Record<string, string>,
  current: Record<string, string>,
): string[] {
  const strategy = current["protected.split_strategy"];
  const relevant = strategy === "temporal_split"
    ? ["evaluation.test_fraction"]
    : FOLD_PARAMS.filter((key) => key !== "evaluation.test_fraction");
  return relevant.filter((key) => baseline[key] !== current[key]).map((key) =>
    `${key} ${baseline[key] ?? "(none)"}, not ${current[key] ?? "(none)"}`
  );
}

/** True when `a` is better than `b` in `direction` (not equal). */
export function isBetter(a: number, b: number, direction: MetricDirection): boolean {
  return direction === "higher" ? a > b : a < b;
}

/**
 * The five questions of `mlp query`, pure: each takes the runs a query counts (`select.ts`) and
 * returns its answer. The test suite checks each against the same question answered
 * independently with `mlflow.search_runs` and pandas (tests/support/query_store.py).
 *
 * @module
 */
import type { QueryField, QueryRun } from "./record.ts";
import type { Cell, QueryResult } from "./result.ts";
import { byStart } from "./select.ts";
import { bestSoFar, better, compareText, type Direction, mean, median, reaches } from "./stats.ts";

/** Which way each metric improves (`directions.ts`). */
export type DirectionOf = (metric: string) => Direction;

/** The judged outcomes, in the order the tables list them. */
const JUDGED = ["confirmed", "neutral", "negative"] as const;

/**
 * The fields of a run each question reads besides its ID, experiment, start time and state; the
 * loader reads only these (`record.ts`). runs-to-target reads the metric it is asked about.
 */
export const QUESTION_FIELDS = {
  changes: ["delta", "category", "change", "outcome", "commit"],
  categories: ["category", "outcome", "delta"],
  approaches: ["useCase", "client", "modelType", "category", "primaryMetric", "outcome", "delta"],
  "runs-to-target": [],
  history: ["primaryMetric", "category", "change", "outcome"],
} as const satisfies Record<string, readonly QueryField[]>;

/** Placeholder for a run without a value the question groups by. */
export const NONE = "(none)";

/**
 * `changes`: the runs that have a `metric_delta`, ranked by it (the biggest improvement first;
 * ties: the earlier run first), the first `top`.
 */
export function changes(runs: readonly QueryRun[], top: number): QueryResult {
  const ranked = runs.filter((run) => run.delta !== null)
    .sort((a, b) => b.delta! - a.delta! || byStart(a, b)).slice(0, top);
  return {
    query: "changes",
    columns: [
      { key: "run", kind: "id" },
      { key: "date", kind: "date" },
      { key: "experiment", kind: "text" },
      { key: "category", kind: "text" },
      { key: "change", kind: "text" },
      { key: "delta", kind: "number" },
      { key: "outcome", kind: "text" },
      { key: "commit", kind: "id" },
    ],
    rows: ranked.map((run) => ({
      run: run.runId,
      date: run.startTime,
      experiment: run.experiment,
      category: run.category,
      change: run.change,
      delta: run.delta,
      outcome: run.outcome,
      commit: run.commit,
    })),
  };
}

/** Counts of the judged outcomes, the confirmation rate and the mean and median delta. */
function judged(runs: readonly QueryRun[]) {
  const count = (outcome: string) => runs.filter((run) => run.outcome === outcome).length;
  const [confirmed, neutral, negative] = JUDGED.map(count);
  const deltas = runs.map((run) => run.delta).filter((d): d is number => d !== null);
  const total = confirmed + neutral + negative;
  return {
    confirmed,
    neutral,
    negative,
    confirmation_rate: total === 0 ? null : confirmed / total,
    mean_delta: mean(deltas),
    median_delta: median(deltas),
  };
}

/** Groups `runs` by `key`, in first-seen order. */
function groupBy(runs: readonly QueryRun[], key: (run: QueryRun) => string) {
  const groups = new Map<string, QueryRun[]>();
  for (const run of runs) {
    const k = key(run);
    const group = groups.get(k);
    if (group) group.push(run);
    else groups.set(k, [run]);
  }
  return groups;
}

/** Descending, `null` last. */
function desc(a: number | null, b: number | null): number {
  if (a === null || b === null) return (a === null ? 1 : 0) - (b === null ? 1 : 0);
  return b - a;
}

/** Ascending, `null` last. */
function asc(a: number | null, b: number | null): number {
  if (a === null || b === null) return (a === null ? 1 : 0) - (b === null ? 1 : 0);
  return a - b;
}

/**
 * `categories`: per hypothesis category, the runs, how many were confirmed, neutral and
 * negative, the confirmation rate (confirmed among those three; a `first` run is not judged) and
 * the mean and median `metric_delta`. Highest confirmation rate first, then most runs.
 */
export function categories(runs: readonly QueryRun[]): QueryResult {
  const rows = [...groupBy(runs, (run) => run.category ?? NONE)].map(([category, group]) => ({
    category,
    runs: group.length,
    ...judged(group),
  })).sort((a, b) =>
    desc(a.confirmation_rate, b.confirmation_rate) || b.runs - a.runs ||
    compareText(a.category, b.category)
  );
  return {
    query: "categories",
    columns: [
      { key: "category", kind: "text" },
      { key: "runs", kind: "int" },
      { key: "confirmed", kind: "int" },
      { key: "neutral", kind: "int" },
      { key: "negative", kind: "int" },
      { key: "confirmation_rate", kind: "rate" },
      { key: "mean_delta", kind: "number" },
      { key: "median_delta", kind: "number" },
    ],
    rows,
  };
}

/**
 * The best run of each experiment by its primary metric (ties: the earliest), for the runs that
 * have it. Values of different projects are never compared: each project is judged by its own
 * metric.
 */
export function bestRuns(runs: readonly QueryRun[], direction: DirectionOf): Map<string, QueryRun> {
  const best = new Map<string, QueryRun>();
  for (const run of [...runs].sort(byStart)) {
    const metric = run.primaryMetric;
    const value = metric === null ? undefined : run.metrics[metric];
    if (metric === null || value === undefined || Number.isNaN(value)) continue;
    const current = best.get(run.experiment);
    if (!current || better(value, current.metrics[metric], direction(metric))) {
      best.set(run.experiment, run);
    }
  }
  return best;
}

/**
 * `approaches`: per use case, for each model type and each hypothesis category, the runs, the
 * projects and clients they come from, in how many projects the best run used it (`best_in`),
 * the confirmed runs, confirmation rate and mean delta. Within a use case, model types first;
 * then most `best_in`, highest confirmation rate, highest mean delta.
 */
export function approaches(runs: readonly QueryRun[], direction: DirectionOf): QueryResult {
  const best = [...bestRuns(runs, direction).values()];
  const rows = [];
  for (const [useCase, group] of groupBy(runs, (run) => run.useCase ?? NONE)) {
    const dimensions = [
      ["model_type", (run: QueryRun) => run.modelType ?? NONE],
      ["category", (run: QueryRun) => run.category ?? NONE],
    ] as const;
    for (const [dimension, key] of dimensions) {
      for (const [value, members] of groupBy(group, key)) {
        const { confirmed, confirmation_rate, mean_delta } = judged(members);
        rows.push({
          use_case: useCase,
          dimension,
          value,
          runs: members.length,
          projects: new Set(members.map((run) => run.experiment)).size,
          clients: new Set(members.map((run) => run.client)).size,
          best_in: best.filter((run) => (run.useCase ?? NONE) === useCase && key(run) === value)
            .length,
          confirmed,
          confirmation_rate,
          mean_delta,
        });
      }
    }
  }
  rows.sort((a, b) =>
    compareText(a.use_case, b.use_case) ||
    (a.dimension === b.dimension ? 0 : a.dimension === "model_type" ? -1 : 1) ||
    b.best_in - a.best_in || desc(a.confirmation_rate, b.confirmation_rate) ||
    desc(a.mean_delta, b.mean_delta) || compareText(a.value, b.value)
  );
  return {
    query: "approaches",
    columns: [
      { key: "use_case", kind: "text" },
      { key: "dimension", kind: "text" },
      { key: "value", kind: "text" },
      { key: "runs", kind: "int" },
      { key: "projects", kind: "int" },
      { key: "clients", kind: "int" },
      { key: "best_in", kind: "int" },
      { key: "confirmed", kind: "int" },
      { key: "confirmation_rate", kind: "rate" },
      { key: "mean_delta", kind: "number" },
    ],
    rows,
  };
}

/**
 * `runs-to-target`: per experiment, in the order its runs started, how many runs it took to first
 * reach `target` in `metric` (`direction`: at least it for higher-is-better, at most it for
 * lower), the run that did and when; projects that never reached it have nulls. The summary: the
 * projects, how many reached it, and the mean and median runs-to-target of those that did.
 * Fastest first; those that never reached it last.
 */
export function runsToTarget(
  runs: readonly QueryRun[],
  metric: string,
  target: number,
  direction: Direction,
): QueryResult {
  const rows = [...groupBy([...runs].sort(byStart), (run) => run.experiment)].map(
    ([experiment, group]) => {
      const index = group.findIndex((run) => {
        const value = run.metrics[metric];
        return value !== undefined && !Number.isNaN(value) && reaches(value, target, direction);
      });
      const values = group.map((run) => run.metrics[metric] ?? null);
      const hit = index < 0 ? null : group[index];
      return {
        experiment,
        runs: group.length,
        runs_to_target: hit ? index + 1 : null,
        run: hit?.runId ?? null,
        date: hit?.startTime ?? null,
        best: bestSoFar(values, direction).at(-1) ?? null,
      };
    },
  ).sort((a, b) =>
    asc(a.runs_to_target, b.runs_to_target) || compareText(a.experiment, b.experiment)
  );
  const reached = rows.map((row) => row.runs_to_target).filter((n): n is number => n !== null);
  return {
    query: "runs-to-target",
    columns: [
      { key: "experiment", kind: "text" },
      { key: "runs", kind: "int" },
      { key: "runs_to_target", kind: "int" },
      { key: "run", kind: "id" },
      { key: "date", kind: "date" },
      { key: "best", kind: "number" },
    ],
    rows,
    summary: {
      metric,
      target,
      projects: rows.length,
      reached: reached.length,
      mean_runs_to_target: mean(reached),
      median_runs_to_target: median(reached),
    },
  };
}

/**
 * `history`: per experiment, every run that has its primary metric, in the order they started,
 * with the value, the best so far and whether it set a new best, labelled with its category and
 * change.
 */
export function history(runs: readonly QueryRun[], direction: DirectionOf): QueryResult {
  const rows: Record<string, Cell>[] = [];
  const withValue = runs.filter((run) =>
    run.primaryMetric !== null && run.metrics[run.primaryMetric] !== undefined &&
    !Number.isNaN(run.metrics[run.primaryMetric])
  ).sort((a, b) => compareText(a.experiment, b.experiment) || byStart(a, b));
  for (const [, group] of groupBy(withValue, (run) => run.experiment)) {
    const values = group.map((run) => run.metrics[run.primaryMetric!]);
    const best = bestSoFar(values, direction(group[0].primaryMetric!));
    group.forEach((run, i) =>
      rows.push({
        date: run.startTime,
        run: run.runId,
        experiment: run.experiment,
        category: run.category,
        change: run.change,
        metric: run.primaryMetric,
        value: values[i],
        best_so_far: best[i],
        new_best: values[i] === best[i] && (i === 0 || best[i] !== best[i - 1]),
        outcome: run.outcome,
      })
    );
  }
  return {
    query: "history",
    columns: [
      { key: "date", kind: "date" },
      { key: "run", kind: "id" },
      { key: "experiment", kind: "text" },
      { key: "category", kind: "text" },
      { key: "change", kind: "text" },
      { key: "metric", kind: "text" },
      { key: "value", kind: "number" },
      { key: "best_so_far", kind: "number" },
      { key: "new_best", kind: "bool" },
      { key: "outcome", kind: "text" },
    ],
    rows,
  };
}

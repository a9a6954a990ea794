/**
 * The comparison of a run with its reproduction (`mlp reproduce`): pure, over what the store holds
 * of both. Identical means identical: metrics are compared exactly (the training is deterministic
 * with the plan's `random_seed`), params as the strings MLflow keeps.
 *
 * What is compared: the run's status; every metric's latest value and, for a metric logged at
 * several steps (`fold.*`), every step; every param (the fingerprints among them) but those no
 * training decides: an agent's session (`agent.*`) and a promotion's card (`card.*`), which a
 * later command writes. What is not: the timings (`training_time_s`, `inference_latency_ms`),
 * which measure the machine, not the run, and are never the same twice; they are listed as such.
 *
 * @module
 */
import { CARD_PARAM_PREFIX, type ReproductionVerdict, TIMING_METRICS } from "../contract/lists.ts";
import type { Fingerprints } from "../run/plan.ts";
import type { MetricPoint } from "../tracking/run_record.ts";

/** What the comparison reads of one run. */
export interface ComparedRun {
  status: string;
  params: Record<string, string>;
  /** The latest value of each metric. */
  metrics: Record<string, number>;
  /** Every value logged of each metric, in any order. */
  history: Record<string, MetricPoint[]>;
}

/** The kinds of value compared. */
export type DifferenceKind = "status" | "metric" | "fingerprint" | "param";

/** One value that is not the same in the reproduction; `null` where a run has none. */
export interface Difference {
  /** The metric or param (`fold.roc_auc[step 2]` for one step of a history), or `status`. */
  name: string;
  kind: DifferenceKind;
  original: string | number | null;
  reproduction: string | number | null;
}

/** The outcome of {@linkcode compareRuns}. */
export interface RunComparison {
  verdict: ReproductionVerdict;
  /** How many values were compared. */
  compared: number;
  /** The metrics left out of the comparison, by name, in the contract's order. */
  ignored: string[];
  /** What differs: status first, then metrics, fingerprints and params, each by name. */
  differences: Difference[];
}

/** The params that fingerprint a run (`Fingerprints` in src/run/plan.ts), every one of them. */
const FINGERPRINT_PARAMS = Object.keys(
  {
    git_commit: true,
    git_dirty: true,
    git_diff_hash: true,
    dataset_hash: true,
    dataset_schema_hash: true,
    dependency_lock_hash: true,
    feature_pipeline_hash: true,
    project_code_hash: true,
    mlp_version: true,
    mlp_build: true,
  } satisfies Record<keyof Fingerprints, true>,
);

/** Params written after a run by other commands or taken from the session, not by training. */
const UNCOMPARED_PARAM_PREFIXES = ["agent.", CARD_PARAM_PREFIX];

const KIND_ORDER: DifferenceKind[] = ["status", "metric", "fingerprint", "param"];

/**
 * Compares a run with its reproduction.
 *
 * @example Usage
 * ```ts
 * import { compareRuns } from "./compare.ts";
 * const run = { status: "FINISHED", params: { seed: "7" }, metrics: { roc_auc: 0.8 }, history: {} };
 * compareRuns(run, { ...run, metrics: { roc_auc: 0.81 } }).differences;
 * // => [{ name: "roc_auc", kind: "metric", original: 0.8, reproduction: 0.81 }]
 * ```
 */
export function compareRuns(original: ComparedRun, reproduction: ComparedRun): RunComparison {
  const ignored = new Set<string>(TIMING_METRICS);
  const differences: Difference[] = [];
  let compared = 1;
  if (original.status !== reproduction.status) {
    differences.push({
      name: "status",
      kind: "status",
      original: original.status,
      reproduction: reproduction.status,
    });
  }

  for (const name of union(original.metrics, reproduction.metrics)) {
    if (ignored.has(name)) continue;
    compared++;
    const a = original.metrics[name] ?? null;
    const b = reproduction.metrics[name] ?? null;
    if (!sameNumber(a, b)) differences.push({ name, kind: "metric", original: a, reproduction: b });
    const stepsA = steps(original.history[name]);
    const stepsB = steps(reproduction.history[name]);
    if (stepsA.size <= 1 && stepsB.size <= 1) continue;
    for (const step of [...new Set([...stepsA.keys(), ...stepsB.keys()])].sort((x, y) => x - y)) {
      compared++;
      const x = stepsA.get(step) ?? null;
      const y = stepsB.get(step) ?? null;
      if (!sameNumber(x, y)) {
        differences.push({
          name: `${name}[step ${step}]`,
          kind: "metric",
          original: x,
          reproduction: y,
        });
      }
    }
  }

  for (const name of union(original.params, reproduction.params)) {
    if (UNCOMPARED_PARAM_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    compared++;
    const a = original.params[name] ?? null;
    const b = reproduction.params[name] ?? null;
    if (a !== b) {
      const kind = FINGERPRINT_PARAMS.includes(name) ? "fingerprint" : "param";
      differences.push({ name, kind, original: a, reproduction: b });
    }
  }

  differences.sort((x, y) => KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind));
  return {
    verdict: differences.length === 0 ? "reproduced" : "differs",
    compared,
    ignored: TIMING_METRICS.filter((name) =>
      name in original.metrics || name in reproduction.metrics
    ),
    differences,
  };
}

/**
 * The differences as a table for the terminal: a header, then one row per difference, columns
 * padded to the widest value.
 *
 * @example Usage
 * ```ts
 * import { differencesTable } from "./compare.ts";
 * differencesTable([{ name: "roc_auc", kind: "metric", original: 0.8, reproduction: 0.81 }]);
 * // => ["name     original  reproduction", "roc_auc  0.8       0.81"]
 * ```
 */
export function differencesTable(differences: readonly Difference[]): string[] {
  const rows = [
    ["name", "original", "reproduction"],
    ...differences.map((d) => [d.name, shown(d.original), shown(d.reproduction)]),
  ];
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map(([name, a, b]) => `${name.padEnd(widths[0])}  ${a.padEnd(widths[1])}  ${b}`);
}

/** A value as the table shows it: numbers in full (JavaScript's shortest exact form). */
function shown(value: string | number | null): string {
  return value === null ? "(none)" : String(value);
}

/** Equal as recorded: NaN (an undefined metric) equals NaN; absent equals only absent. */
function sameNumber(a: number | null, b: number | null): boolean {
  return a === null || b === null ? a === b : Object.is(a, b) || a === b;
}

/** Each step's value; when a step was logged twice, the later one (MLflow's latest). */
function steps(points: readonly MetricPoint[] | undefined): Map<number, number> {
  const byStep = new Map<number, MetricPoint>();
  for (const point of points ?? []) {
    const seen = byStep.get(point.step);
    if (seen === undefined || point.timestamp >= seen.timestamp) byStep.set(point.step, point);
  }
  return new Map([...byStep].map(([step, point]) => [step, point.value]));
}

function union(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

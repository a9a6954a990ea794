/**
 * The statistics the queries report, kept apart so they are tested on their own and match what
 * pandas computes (`Series.mean`, `Series.median`: the mean of the two middle values).
 *
 * @module
 */

/** The arithmetic mean of `values`, or `null` when there are none. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** The median of `values` (the mean of the two middle ones for an even count), or `null`. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Which way a metric improves. */
export type Direction = "higher" | "lower";

/** Whether `a` is better than `b` in `direction` (ties are not better). */
export function better(a: number, b: number, direction: Direction): boolean {
  return direction === "higher" ? a > b : a < b;
}

/** Whether `value` reaches `target` in `direction` (equal reaches it). */
export function reaches(value: number, target: number, direction: Direction): boolean {
  return direction === "higher" ? value >= target : value <= target;
}

/**
 * The best value so far at each position of `values` (in order), `null` until the first value;
 * `null` entries (a run without the metric) keep the best so far.
 */
export function bestSoFar(
  values: readonly (number | null)[],
  direction: Direction,
): (number | null)[] {
  let best: number | null = null;
  return values.map((value) => {
    if (
      value !== null && !Number.isNaN(value) && (best === null || better(value, best, direction))
    ) {
      best = value;
    }
    return best;
  });
}

/**
 * Orders strings by code point, as Python and SQL do (`localeCompare` would not: its collation
 * puts `_` before digits), so every store and the test's pandas answer agree on ties.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

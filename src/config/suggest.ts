/**
 * "Did you mean" suggestions for misspelt names: field names, model types, metrics, hyperparameters.
 *
 * @module
 */
import { distance } from "fastest-levenshtein";

/**
 * Returns the candidate the user most likely meant by `input`, or `undefined` when none is close.
 *
 * In order: a candidate equal to `input` ignoring case; a candidate that begins with or contains
 * `input` (at least 3 characters, so "xgb" finds "xgboost" and "auc" finds "roc_auc"); the
 * candidate with the smallest edit distance, if that distance is at most a third of the longer
 * name (and at least 1), so short names only match near-misses. Ties go to the earlier candidate.
 *
 * @example Usage
 * ```ts
 * import { didYouMean } from "./suggest.ts";
 * didYouMean("max_dept", ["max_depth", "learning_rate"]); // => "max_depth"
 * didYouMean("foo", ["max_depth", "learning_rate"]); // => undefined
 * ```
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const wanted = input.toLowerCase();
  if (wanted === "") return undefined;
  const exact = candidates.find((candidate) => candidate.toLowerCase() === wanted);
  if (exact !== undefined) return exact;
  if (wanted.length >= 3) {
    const containing = candidates.filter((candidate) => candidate.toLowerCase().includes(wanted));
    if (containing.length > 0) {
      return containing.find((candidate) => candidate.toLowerCase().startsWith(wanted)) ??
        containing[0];
    }
  }
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(wanted, candidate.toLowerCase());
    const cutoff = Math.max(1, Math.floor(Math.max(wanted.length, candidate.length) / 3));
    if (d <= cutoff && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

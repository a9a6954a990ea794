/**
 * The line `mlp run` ends with, before the run ID (docs/outcome.md): the metric, the delta
 * against the baseline with its noise, and the outcome, in one line an agent can act on.
 *
 * @module
 */
import type { OutcomeReport } from "../contract/events.ts";

/**
 * `roc_auc 0.7812  +0.0043 vs 1a2b3c4d (±0.0019, p=0.01): confirmed`; for a first run
 * `roc_auc 0.7812  no comparable earlier run: first`; when no test was possible
 * `roc_auc 0.7812  +0.0043 vs 1a2b3c4d (delta only): neutral`.
 */
export function outcomeLine(report: OutcomeReport): string {
  const head = `${report.metric} ${fixed(report.value)}`;
  if (report.outcome === "first" || report.baseline_run_id === null) {
    return `${head}  no comparable earlier run: ${report.outcome}`;
  }
  const delta = report.delta === null
    ? "undefined"
    : `${report.delta >= 0 ? "+" : ""}${report.delta.toFixed(4)}`;
  const noise = report.method === "none" || report.std_error === null || report.p_value === null
    ? "delta only"
    : `±${report.std_error.toFixed(4)}, p${pValue(report.p_value)}`;
  return `${head}  ${delta} vs ${report.baseline_run_id.slice(0, 8)} (${noise}): ${report.outcome}`;
}

/**
 * The line naming the best run on other data (when it beats the baseline, or there is none), or
 * `null` when there is no such run.
 */
export function elsewhereLine(report: OutcomeReport): string | null {
  const other = report.better_elsewhere;
  if (other === null) return null;
  return `mlp: run ${other.run_id.slice(0, 8)} has ${report.metric} ${
    fixed(other.value)
  } on other data (dataset ${other.dataset_hash.slice(0, 12)}): runs on other data are never ` +
    "compared";
}

function fixed(value: number | null): string {
  return value === null ? "undefined" : value.toFixed(4);
}

/** `=` and two significant digits; below 0.001 as `<0.001`. */
function pValue(p: number): string {
  if (p < 0.001) return "<0.001";
  return `=${Number(p.toPrecision(2))}`;
}

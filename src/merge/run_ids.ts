/**
 * MLflow run IDs named in text: `MLflow-Run: <id>` lines, as a merge message, a pull-request
 * description or a git note carries them.
 *
 * @module
 */

const RUN_LINE = /^\s*mlflow-run\s*:\s*([0-9a-f]{32})\s*$/gim;

/**
 * Returns the run IDs named on `MLflow-Run: <32 hex>` lines (the key in any case), in order of
 * appearance, each once. Lines starting with `#` (git's comment lines) are ignored.
 *
 * @example Usage
 * ```ts
 * import { runIdsFromMessage } from "./run_ids.ts";
 * runIdsFromMessage("Merge branch 'exp'\n\nmlflow-run: 0123456789abcdef0123456789abcdef\n");
 * // => ["0123456789abcdef0123456789abcdef"]
 * ```
 */
export function runIdsFromMessage(text: string): string[] {
  const ids = new Set<string>();
  for (const match of text.matchAll(RUN_LINE)) ids.add(match[1].toLowerCase());
  return [...ids];
}

const SEAL_LINE = /^\s*mlflow-seal\s*:\s*([0-9a-f]{32})\s+([0-9a-f]{64})\s*$/gim;

/**
 * The seals named on `MLflow-Seal: <run id> <64 hex>` lines (as `mlp run` writes them in a git
 * note beside the run's `MLflow-Run` line), by run ID; a run named twice keeps its first seal.
 */
export function sealsFromNote(text: string): Map<string, string> {
  const seals = new Map<string, string>();
  for (const match of text.matchAll(SEAL_LINE)) {
    const runId = match[1].toLowerCase();
    if (!seals.has(runId)) seals.set(runId, match[2].toLowerCase());
  }
  return seals;
}

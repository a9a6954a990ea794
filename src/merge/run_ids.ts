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

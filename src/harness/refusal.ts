/**
 * What the Claude Code hook says when it blocks a tool call: one refusal per rule broken, each
 * with what is wrong and how to proceed, in words an agent can act on. Pure.
 *
 * @module
 */

/** One rule a tool call breaks. */
export interface Refusal {
  /** What the refusal is about: `configs/experiment.yaml:14`, `src/model.py:3`, `Bash`, … */
  subject: string;
  message: string;
  /** How to proceed. */
  hint: string;
}

/** The decision on one tool call. */
export type Decision = { allow: true } | { allow: false; refusals: Refusal[] };

/** A decision from the refusals found: allowed when there are none. */
export function decide(refusals: Refusal[]): Decision {
  return refusals.length === 0 ? { allow: true } : { allow: false, refusals };
}

/**
 * The refusals as the hook prints them on stderr, which Claude Code shows to the model: one
 * `subject: message` line each, and how to proceed after the last of a run sharing it.
 *
 * @example Usage
 * ```ts
 * import { formatRefusals } from "./refusal.ts";
 * formatRefusals([{ subject: "Bash", message: "`--no-verify` skips the git hooks", hint: "commit without it" }]);
 * // => "Bash: `--no-verify` skips the git hooks\n  how to proceed: commit without it"
 * ```
 */
export function formatRefusals(refusals: readonly Refusal[]): string {
  const lines: string[] = [];
  for (const [i, refusal] of refusals.entries()) {
    lines.push(`${refusal.subject}: ${refusal.message}`);
    if (refusals[i + 1]?.hint !== refusal.hint) lines.push(`  how to proceed: ${refusal.hint}`);
  }
  return lines.join("\n");
}

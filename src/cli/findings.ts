/**
 * Printing problems found in files, the way the hooks and `mlp guard` report them: one
 * `file:line: message` line each, and how to proceed after the last of a run that shares it.
 *
 * @module
 */
import type { FileProblem } from "../guard/check_file.ts";

/** Prints each problem to stderr; its hint after it, or after the last of a run sharing it. */
export function printFindings(findings: readonly FileProblem[]): void {
  for (const [i, finding] of findings.entries()) {
    const where = finding.line === undefined ? finding.file : `${finding.file}:${finding.line}`;
    console.error(`${where}: ${finding.message}`);
    if (findings[i + 1]?.hint !== finding.hint) console.error(`  how to proceed: ${finding.hint}`);
  }
}

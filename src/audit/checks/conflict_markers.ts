/**
 * Check "conflict markers": no file of the work tree that git tracks or would add holds a
 * complete set of conflict markers left by a merge or `copier update` (src/drift/conflict_markers.ts;
 * the pre-commit hook refuses them in staged files, this finds those committed past it or not
 * staged yet).
 *
 * @module
 */
import { treeConflicts } from "../../drift/conflict_markers.ts";
import type { Finding } from "../finding.ts";
import type { AuditContext } from "../run_audit.ts";

/** A finding per file with conflict markers. */
export async function checkConflictMarkers(context: AuditContext): Promise<Finding[]> {
  return (await treeConflicts(context.root)).map((problem) => ({
    level: "finding",
    check: "conflict markers",
    subject: `${problem.file}:${problem.line}`,
    problem: problem.message,
    fix: problem.hint,
  }));
}

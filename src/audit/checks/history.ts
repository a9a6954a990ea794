/**
 * Check "history": every commit of main's first-parent history since the gate was installed is a
 * merge a run of this project proves, or an exception by rule (src/audit/history.ts).
 *
 * @module
 */
import type { Finding } from "../finding.ts";
import { historyFindings } from "../history.ts";
import type { AuditContext } from "../run_audit.ts";

/** The findings and exceptions of main's first-parent history. */
export function checkHistory(context: AuditContext): Promise<Finding[]> {
  return Promise.resolve(
    historyFindings(context.classified, context.history.gate, context.main.branch),
  );
}

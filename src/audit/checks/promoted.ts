/**
 * Check "promoted": every run promoted to champion (and not revoked) still passes the checks
 * `mlp promote` made (src/promote/promote.ts `qualificationChecks`): FINISHED on a clean tree,
 * proving its commit (fingerprints and seal), its commit on the main branch, its dataset
 * verifying, the protected fields of main's standards, no escape hatch. The model's scoring is
 * not repeated (it runs the model in the sandbox; `mlp promote` did it once).
 *
 * @module
 */
import { qualificationChecks } from "../../promote/promote.ts";
import type { Finding } from "../finding.ts";
import type { AuditContext } from "../run_audit.ts";

/** The findings of the promoted runs. */
export async function checkPromoted(context: AuditContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const run of context.promoted) {
    const { failed } = await qualificationChecks(context.root, context.reader, run);
    for (const check of failed) {
      findings.push({
        level: "finding",
        check: "promoted",
        subject: `run ${run.runId} (promoted)`,
        problem: `fails the promotion check "${check.check}": ${check.problem}`,
        fix: `${check.fix}; revoke the promotion meanwhile ` +
          `(\`mlp promote ${run.runId} --revoke --reason "…"\`)`,
      });
    }
  }
  return findings;
}

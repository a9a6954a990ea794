/**
 * Check "running": no run is RUNNING without a live owner. The audit reads the store without
 * reconciling it (other commands end such runs KILLED first, src/runs/reconcile.ts), so a run
 * whose supervisor is gone, or that records no owner at all, is reported. A run whose lock is not
 * in this project, in a tracking server, may be another machine's and cannot be judged from here;
 * it is not reported.
 *
 * @module
 */
import { runOwnerLiveness } from "../../runs/owner.ts";
import type { Finding } from "../finding.ts";
import type { AuditContext } from "../run_audit.ts";

/** The findings of runs left RUNNING. */
export async function checkRunning(context: AuditContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const run of await context.reader.findRunning()) {
    if (context.since !== null && (run.startTime ?? 0) < context.since) continue;
    const owner = await runOwnerLiveness(context.root, run.tags, context.scope);
    if (owner?.state === "alive" || owner?.state === "unknown") continue;
    findings.push({
      level: "finding",
      check: "running",
      subject: `run ${run.runId}`,
      problem: owner === null
        ? "is RUNNING and records no owner (`mlp run` did not start it)"
        : `is RUNNING but its owner is gone: ${owner.why}`,
      fix: owner === null
        ? "find out who wrote it; end it with the MLflow client " +
          '(`MlflowClient().set_terminated(run_id, "KILLED")`)'
        : "`mlp runs repair` ends it KILLED",
    });
  }
  return findings;
}

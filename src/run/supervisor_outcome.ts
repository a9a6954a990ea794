/**
 * What the supervisor's exit means for the user: a refusal (nothing recorded) as the error to show,
 * and a supervisor that died after creating its run, whose run mlp then ends itself.
 *
 * @module
 */
import { CheckError, InterruptedError } from "../errors.ts";
import { endRuns } from "../runs/reconcile.ts";
import { redactUri } from "../tracking/redact.ts";
import type { SupervisorEvent } from "../contract/events.ts";
import type { RunStatus } from "../contract/lists.ts";
import type { RunInterrupts } from "./interrupts.ts";
import type { SupervisorResult } from "./supervisor.ts";

/** The supervisor's last word on a run. */
export type FinishedEvent = Extract<SupervisorEvent, { event: "finished" }>;

/**
 * The supervisor died after creating the run and before ending it (killed, crashed): mlp ends it
 * KILLED through MLflow, unless it had ended meanwhile, and reports the true final status.
 */
export async function endAbandonedRun(
  root: string,
  trackingUri: string,
  runId: string,
  result: SupervisorResult,
  interrupts: RunInterrupts,
): Promise<FinishedEvent> {
  const why = `the supervisor ${describeExit(result)} before ending the run` +
    (interrupts.received ? ` (mlp was interrupted by ${interrupts.received})` : "");
  const [ended] = await endRuns(root, trackingUri, [
    { runId, status: "KILLED", reason: `${why}; ended by mlp` },
  ]);
  return {
    event: "finished",
    status: ended.status as RunStatus,
    run_id: runId,
    metrics: {},
    error: ended.changed ? why : null,
    // Only the supervisor seals a run, just before it ends it FINISHED.
    seal: null,
    outcome: null,
  };
}

/** How the supervisor (through uv) ended, for messages. */
export function describeExit(result: SupervisorResult): string {
  if (result.signal) return `was killed by ${result.signal}`;
  if (result.code > 128) {
    return `exited with code ${result.code} (killed by signal ${result.code - 128})`;
  }
  return `exited with code ${result.code}`;
}

/** Turns a supervisor refusal (nothing was recorded) into the error the user sees. */
export function refusal(
  { reason, message, hint }: Extract<SupervisorEvent, { event: "refused" }>,
  trackingUri: string,
): Error {
  switch (reason) {
    case "sandbox_unavailable":
      return new CheckError(`The training sandbox cannot be set up: ${message}`, {
        hint: "on a machine without Landlock (Linux 6.7+), run with --unsandboxed --reason " +
          '"<why>"; the run records sandbox=none and the override log records who and why',
      });
    case "store_unusable":
      return new CheckError(`The MLflow store cannot be used: ${message}`, { hint });
    case "interrupted":
      return new InterruptedError(`The run was ${message}`, {
        hint: "run `mlp run` again when you are ready",
      });
    case "tracking_unavailable":
      return new CheckError(
        `The MLflow store "${redactUri(trackingUri)}" cannot record the run: ${redactUri(message)}`,
        {
          hint: hint ??
            "check MLFLOW_TRACKING_URI (unset it to use the project's mlflow.db) and that the " +
              "server is up; nothing was recorded and no project code ran",
        },
      );
    case "invalid_plan":
      // mlp wrote a plan its own supervisor refuses, a bug (src/main.ts reports a plain Error
      // with its stack and exit code 70).
      return new Error(`The supervisor refused the run plan (${reason}): ${message}`);
  }
}

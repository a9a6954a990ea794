/**
 * Reconciling the store with the processes that exist: a run left RUNNING by a supervisor that no
 * longer exists (killed with `kill -9`, a crash, a reboot) is ended KILLED, with the tag
 * `mlp.end_reason` saying why, and the run directories its mlp left are tidied. Every mlp command
 * that opens the store does this first (`openStore`), and `mlp runs repair` on demand.
 *
 * Which runs are abandoned is decided here (pure, from the runs' owner tags and /proc); the end
 * state is written through the official MLflow client (src/python/mlp_platform/run_admin.py), so
 * the SQLite file and a tracking server are written the same way.
 *
 * @module
 */
import { endedEventSchema, parseEventLine } from "../contract/events.ts";
import type { EndStatus, MlflowRunStatus } from "../contract/lists.ts";
import { CheckError } from "../errors.ts";
import type { RunReader, RunRecord } from "../tracking/run_record.ts";
import { type Liveness, runOwnerLiveness, type StoreScope } from "./owner.ts";
import { closeAbandonedRunDirs } from "./run_dirs.ts";
import { runAdmin } from "./run_admin.ts";

/** A run to end, and how. */
export interface EndRequest {
  runId: string;
  status: EndStatus;
  reason: string;
}

/** What ending one run did: `changed` is false when it had ended meanwhile (status `was`). */
export interface EndResult {
  runId: string;
  status: MlflowRunStatus;
  changed: boolean;
  was: MlflowRunStatus;
}

/** A RUNNING run that mlp could not judge, and why (no owner recorded, another host). */
export interface UnjudgedRun {
  runId: string;
  why: string;
}

/** What {@linkcode reconcileStore} found and did. */
export interface Reconciliation {
  ended: (EndResult & { why: string })[];
  unjudged: UnjudgedRun[];
  /** Run directories tidied, relative to the project root. */
  runDirs: string[];
}

/**
 * The runs among `running` whose owner is gone (to end), and those mlp cannot judge. Pure:
 * `liveness[i]` is the judged owner of `running[i]` (`null`: the run records none).
 */
export function abandonedRuns(
  running: RunRecord[],
  liveness: (Liveness | null)[],
): { abandoned: EndRequest[]; unjudged: UnjudgedRun[] } {
  const abandoned: EndRequest[] = [];
  const unjudged: UnjudgedRun[] = [];
  for (const [i, run] of running.entries()) {
    const owner = liveness[i];
    if (!owner) {
      unjudged.push({
        runId: run.runId,
        why: "it records no owner (it was not started by this mlp)",
      });
    } else if (owner.state === "gone") {
      abandoned.push({
        runId: run.runId,
        status: "KILLED",
        reason: `left RUNNING: ${owner.why}; ended by mlp`,
      });
    } else if (owner.state === "unknown") {
      unjudged.push({ runId: run.runId, why: owner.why });
    }
  }
  return { abandoned, unjudged };
}

/**
 * Ends `requests` through the MLflow client in the project's environment.
 *
 * @throws {CheckError} when the ending process fails (uv missing, the store unwritable).
 */
export async function endRuns(
  root: string,
  trackingUri: string,
  requests: EndRequest[],
): Promise<EndResult[]> {
  if (requests.length === 0) return [];
  const { lines, stderr, success } = await runAdmin(root, trackingUri, "end", {
    runs: requests.map((r) => ({ run_id: r.runId, status: r.status, reason: r.reason })),
  });
  const results = lines.flatMap((line) => {
    const event = parseEventLine(endedEventSchema, line, "run_admin");
    return event
      ? [{ runId: event.run_id, status: event.status, changed: event.changed, was: event.was }]
      : [];
  });
  if (!success || results.length !== requests.length) {
    throw new CheckError(
      `Cannot end ${requests.length} run(s) left RUNNING in "${trackingUri}"`,
      {
        details: stderr.trim().split("\n").slice(-5),
        hint: "check that the store is writable, then run `mlp runs repair`",
      },
    );
  }
  return results;
}

/**
 * Ends the runs of the store whose owner is gone and tidies abandoned run directories.
 *
 * @param reader the store's reader (the caller opened it, and closes it)
 * @param scope `project` for the project's own SQLite store, `server` for a store other machines
 * may share (a run whose lock is not in this project is then left alone)
 */
export async function reconcileStore(
  root: string,
  trackingUri: string,
  reader: RunReader,
  scope: StoreScope,
): Promise<Reconciliation> {
  const running = await reader.findRunning();
  const liveness = await Promise.all(
    running.map((run) => runOwnerLiveness(root, run.tags, scope)),
  );
  const { abandoned, unjudged } = abandonedRuns(running, liveness);
  const results = await endRuns(root, trackingUri, abandoned);
  const ended = results.map((result, i) => ({ ...result, why: abandoned[i].reason }));
  const runDirs = await closeAbandonedRunDirs(root);
  return { ended, unjudged, runDirs };
}

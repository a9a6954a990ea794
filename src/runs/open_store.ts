/**
 * Opening the project's MLflow store for a command, reconciled first: runs left RUNNING by a
 * process that no longer exists are ended KILLED before the command reads anything.
 *
 * @module
 */
import { MlpError } from "../errors.ts";
import { resolveTrackingUri } from "../run/tracking_uri.ts";
import { openRunReader } from "../tracking/reader.ts";
import type { RunReader } from "../tracking/run_record.ts";
import { sqliteFile } from "../run/store_file.ts";
import type { StoreScope } from "./owner.ts";
import { reconcileStore, type Reconciliation } from "./reconcile.ts";

/**
 * `project` when the store is a SQLite file inside the project (only its runs are in it),
 * `server` otherwise (a tracking server, or a SQLite file other projects may share).
 */
export function storeScope(root: string, uri: string): StoreScope {
  const file = sqliteFile(root, uri);
  return file && file.startsWith(`${root}/`) ? "project" : "server";
}

/** Prints what a reconciliation changed, one line per run or directory (for stderr). */
export function describeReconciliation(result: Reconciliation): string[] {
  return [
    ...result.ended.filter((r) => r.changed).map((r) =>
      `mlp: run ${r.runId} was ${r.why.replace(/; ended by mlp$/, "")}: recorded ${r.status}`
    ),
    ...result.runDirs.map((dir) => `mlp: tidied ${dir}, left by an mlp that no longer runs`),
  ];
}

/**
 * Opens the store named by `MLFLOW_TRACKING_URI` (else the project's `mlflow.db`) and reconciles
 * it. A reconciliation that cannot be done (uv missing, a read-only store) is reported through
 * `log` and does not stop the command: nothing it would change can prove anything.
 *
 * @throws {CheckError} when the store cannot be opened (see `openRunReader`)
 */
export async function openStore(
  root: string,
  env: Record<string, string | undefined>,
  log: (line: string) => void,
): Promise<RunReader> {
  const uri = resolveTrackingUri(env.MLFLOW_TRACKING_URI);
  const reader = openRunReader(uri, root, env);
  try {
    const result = await reconcileStore(root, uri, reader, storeScope(root, uri));
    for (const line of describeReconciliation(result)) log(line);
  } catch (error) {
    if (!(error instanceof MlpError)) throw error;
    log(
      `mlp: warning: runs left RUNNING could not be ended: ${error.message} (${error.hint ?? ""})`,
    );
  }
  return reader;
}

/**
 * Reconciles the store named by `trackingUri` when it exists (a project without runs has no
 * `mlflow.db` yet); what changed goes to `log`.
 */
export async function reconcileExistingStore(
  root: string,
  env: Record<string, string | undefined>,
  trackingUri: string,
  log: (line: string) => void,
): Promise<void> {
  const file = sqliteFile(root, trackingUri);
  if (file) {
    try {
      await Deno.stat(file);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
  }
  const reader = await openStore(root, { ...env, MLFLOW_TRACKING_URI: trackingUri }, log);
  reader.close();
}

/**
 * `mlp audit` (docs/audit.md): gathers the facts once (main's first-parent history with each
 * merge's proof, the runs on main, the promoted runs, the override log) into an
 * {@linkcode AuditContext}, runs every check of {@linkcode CHECKS} on it, and reports what they
 * found. Runs are read from the store the merge gate reads (the committed `tracking_store`: the
 * project's SQLite file or a tracking server), without reconciling it first, so that a run left
 * RUNNING is seen as it is.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { OVERRIDE_LOG, verifyOverrideLog } from "./override_log.ts";
import { gitRun } from "../fingerprint/git.ts";
import { gateStoreUri } from "../merge/gate_store.ts";
import { projectPaths } from "../project/paths.ts";
import { mainBranch } from "../project/main_branch.ts";
import { PROMOTION_TAGS, REVOCATION_TAGS } from "../promote/names.ts";
import { resolveTrackingUri } from "../run/tracking_uri.ts";
import type { StoreScope } from "../runs/owner.ts";
import { storeScope } from "../runs/open_store.ts";
import { openRunReader, storeFilePath } from "../tracking/reader.ts";
import type { RunReader, RunRecord } from "../tracking/run_record.ts";
import { checkDrift } from "./checks/drift.ts";
import { checkConflictMarkers } from "./checks/conflict_markers.ts";
import { checkHistory } from "./checks/history.ts";
import { checkOverrideLog } from "./checks/override_log.ts";
import { checkPromoted } from "./checks/promoted.ts";
import { checkRunning } from "./checks/running.ts";
import { checkRuns } from "./checks/runs.ts";
import { type AuditReport, auditReport, type Finding } from "./finding.ts";
import { type GitHistory, readGitHistory } from "./git_history.ts";
import { type ClassifiedCommit, classifyHistory, historySummary, plural } from "./history.ts";

/** What every check reads: gathered once by {@linkcode runAudit}. */
export interface AuditContext {
  root: string;
  /** The store the merge gate reads, not reconciled. */
  reader: RunReader;
  scope: StoreScope;
  main: { branch: string; commit: string };
  /** Commits and runs older than this (ms since the epoch) are not audited; `null` for all. */
  since: number | null;
  history: GitHistory;
  classified: ClassifiedCommit[];
  /** Active FINISHED runs whose commit is on main's history (the tip's ancestors), since `since`. */
  runsOnMain: RunRecord[];
  /** Runs promoted to champion and not revoked, since `since`. */
  promoted: RunRecord[];
  /** The override log in the work tree (`""` when there is none). */
  logText: string;
}

/** One independent check: what it finds in the context. */
export type AuditCheck = (context: AuditContext) => Promise<Finding[]>;

/** Every check `mlp audit` runs, in order. Adding a check is adding it here. */
export const CHECKS: readonly AuditCheck[] = [
  checkHistory,
  checkOverrideLog,
  checkRuns,
  checkPromoted,
  checkRunning,
  checkConflictMarkers,
  checkDrift,
];

/** What to audit. */
export interface AuditRequest {
  root: string;
  env: Record<string, string | undefined>;
  /** `--since`, ms since the epoch; `null` for the whole history. */
  since: number | null;
}

/**
 * Audits the project at `request.root`.
 *
 * @throws {CheckError} when the store cannot be opened, or `MLFLOW_TRACKING_URI` names another
 *   store than the committed one, or the repository has no main branch.
 */
export async function runAudit(request: AuditRequest): Promise<AuditReport> {
  const { root, env, since } = request;
  const uri = resolveTrackingUri(await gateStoreUri(root, env));
  const file = storeFilePath(uri, root);
  const reader = file !== null && !existsSync(file)
    ? storeWithoutRuns(`${file} (no run recorded yet)`)
    : openRunReader(uri, root, env);
  try {
    const context = await gather(root, reader, storeScope(root, uri), since);
    const items: Finding[] = [];
    for (const check of CHECKS) items.push(...await check(context));
    const entries = verifyOverrideLog(context.logText, OVERRIDE_LOG).entries.length;
    const audited = [
      historySummary(context.classified, context.history.gate, context.main.branch),
      `${plural(context.runsOnMain.length, "run")} on ${context.main.branch}, ` +
      `${context.promoted.length} promoted`,
      `${OVERRIDE_LOG}: ${entries === 1 ? "1 entry" : `${entries} entries`}`,
      `store ${reader.location}`,
    ].join("; ");
    return auditReport(items, audited);
  } finally {
    reader.close();
  }
}

async function gather(
  root: string,
  reader: RunReader,
  scope: StoreScope,
  since: number | null,
): Promise<AuditContext> {
  const main = await mainBranch(root);
  const history = await readGitHistory(root, main.commit, reader, since);
  const classified = classifyHistory(history.commits, history.gate, since);
  const onMain = new Set((await gitRun(root, ["rev-list", main.commit])).split("\n"));
  const recent = (run: RunRecord) => since === null || (run.startTime ?? 0) >= since;
  const runs = await reader.findRunsWithParam("git_commit");
  const runsOnMain = runs.filter((run) =>
    run.lifecycleStage === "active" && run.status === "FINISHED" &&
    onMain.has(run.params.git_commit) && recent(run)
  );
  const promoted = runs.filter((run) =>
    run.tags[PROMOTION_TAGS.promoted] === "true" &&
    run.tags[REVOCATION_TAGS.revoked] !== "true" && recent(run)
  );
  let logText = "";
  try {
    logText = await Deno.readTextFile(projectPaths(root).overrideLog);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return { root, reader, scope, main, since, history, classified, runsOnMain, promoted, logText };
}

/**
 * The store of a project where no run was recorded yet (its SQLite file does not exist, as in a
 * project just generated): it holds no run, so no merge is proven by it and no run is checked.
 */
function storeWithoutRuns(location: string): RunReader {
  return {
    location,
    getRun: () => Promise.resolve(null),
    findRunsByCommit: () => Promise.resolve([]),
    getExperimentName: () => Promise.resolve(null),
    findRunsWithParam: () => Promise.resolve([]),
    findFinishedRuns: () => Promise.resolve([]),
    findRunning: () => Promise.resolve([]),
    getMetricHistory: () => Promise.resolve({}),
    hashArtifacts: () => Promise.resolve({}),
    readArtifact: () => Promise.resolve(null),
    close: () => {},
  };
}

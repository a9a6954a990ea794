/**
 * Check "runs": every FINISHED run at a commit of main's history (its first-parent line and the
 * branches merged into it) still verifies: its seal holds (src/tracking/seal.ts), its dataset in
 * `data/shadow/` matches its recorded hash byte for byte (src/cas/verify.ts), and, for a run on a
 * clean tree, its recorded lock hash is the hash of `uv.lock` at its commit. Promoted runs are
 * checked by the "promoted" check instead, which covers all of this.
 *
 * @module
 */
import { notedSeal } from "../override_anchor.ts";
import { verifyDataset } from "../../cas/verify.ts";
import { MlpError } from "../../errors.ts";
import { gitShow } from "../../fingerprint/git.ts";
import { lockHash } from "../../fingerprint/lock.ts";
import type { RunRecord } from "../../tracking/run_record.ts";
import { checkSeal } from "../../tracking/seal.ts";
import type { Finding } from "../finding.ts";
import type { AuditContext } from "../run_audit.ts";

const CHECK = "runs";

/** The findings of the runs on main that are not promoted. */
export async function checkRuns(context: AuditContext): Promise<Finding[]> {
  const { root, reader } = context;
  const promoted = new Set(context.promoted.map((run) => run.runId));
  const datasets = new Map<string, Promise<string | null>>();
  const findings: Finding[] = [];
  for (const run of context.runsOnMain) {
    if (promoted.has(run.runId)) continue;
    const commit = run.params.git_commit;
    const subject = `run ${run.runId} (commit ${commit.slice(0, 12)})`;
    const finding = (problem: string, fix: string): Finding => ({
      level: "finding",
      check: CHECK,
      subject,
      problem,
      fix,
    });
    for (const problem of await checkSeal(reader, run, await notedSeal(root, run))) {
      findings.push(finding(
        `its seal does not hold: ${problem}`,
        "its record is not the one `mlp run` sealed: find out who wrote or changed it " +
          "(docs/seal.md); it proves nothing now, a new `mlp run` at its commit does",
      ));
    }
    const hash = run.params.dataset_hash ?? "";
    if (!datasets.has(hash)) datasets.set(hash, datasetProblem(root, hash));
    const dataset = await datasets.get(hash)!;
    if (dataset !== null) {
      findings.push(finding(
        `dataset "${hash}" does not verify: ${dataset}`,
        `restore data/shadow/${hash}/ from a backup (datasets are immutable; \`mlp data ls\` ` +
          "verifies them)",
      ));
    }
    const lock = await lockProblem(root, run);
    if (lock !== null) {
      findings.push(finding(
        lock,
        "the run's record or the commit's uv.lock is not what the run used: find out which " +
          "changed; a new `mlp run` at the commit records the right hash",
      ));
    }
  }
  return findings;
}

/** Why the dataset `hash` does not verify, or `null` when it does. */
async function datasetProblem(root: string, hash: string): Promise<string | null> {
  try {
    await verifyDataset(root, hash);
    return null;
  } catch (error) {
    if (!(error instanceof MlpError)) throw error;
    const where = error.location ? ` (${error.location.file})` : "";
    return `${error.message}${where}` + error.details.map((d) => `; ${d}`).join("");
  }
}

/** Why the run's lock hash is not its commit's, or `null` (also for a run on a dirty tree). */
async function lockProblem(root: string, run: RunRecord): Promise<string | null> {
  if (run.params.git_dirty !== "false") return null;
  const commit = run.params.git_commit;
  const bytes = await gitShow(root, commit, "uv.lock");
  const recorded = run.params.dependency_lock_hash;
  if (bytes === null) return `commit ${commit.slice(0, 12)} has no uv.lock`;
  const expected = lockHash(bytes);
  if (recorded === expected) return null;
  return `dependency_lock_hash: run has ${
    recorded === undefined ? "none" : `"${recorded}"`
  }, uv.lock at commit ${commit.slice(0, 12)} hashes to "${expected}"`;
}

/**
 * Gathering the git facts the history audit classifies (history.ts): main's first-parent commits
 * with what each changed, whether it only appended to the override log, and, for each merge after
 * the gate was installed, whether the merge gate's proof holds for it (`verifyMergeCommit`, the
 * check `mlp verify-run --commit <merge>` runs).
 *
 * @module
 */
import { CheckError } from "../errors.ts";
import { gitRun } from "../fingerprint/git.ts";
import { verifyMergeCommit } from "../merge/prove_merge.ts";
import type { RunReader } from "../tracking/run_record.ts";
import { readAt } from "./override_anchor.ts";
import { OVERRIDE_LOG } from "./override_log.ts";
import { type FirstParentCommit, GATE_FILE, type MergeProofFact } from "./history.ts";

/** Main's first-parent history, oldest first, and the commit that installed the gate. */
export interface GitHistory {
  commits: FirstParentCommit[];
  /** The first first-parent commit that adds {@linkcode GATE_FILE}, or `null`. */
  gate: string | null;
}

/**
 * Reads main's first-parent history and proves each merge from the gate on.
 *
 * @param tip The main branch's tip (a full SHA).
 * @param since Merges older than this (committer time, ms) are not proven; `null` for all.
 * @throws {CheckError} when git fails.
 */
export async function readGitHistory(
  root: string,
  tip: string,
  reader: RunReader,
  since: number | null,
): Promise<GitHistory> {
  const log = await gitRun(root, [
    "log",
    "--first-parent",
    "--reverse",
    "--format=%H%x00%P%x00%ct%x00%s",
    tip,
  ]);
  const gate = (await gitRun(root, [
    "rev-list",
    "--first-parent",
    "--reverse",
    tip,
    "--",
    GATE_FILE,
  ])).split("\n")[0] || null;
  const commits: FirstParentCommit[] = [];
  let gateSeen = false;
  let previousLog = "";
  for (const line of log.split("\n").filter((l) => l !== "")) {
    const [sha, parentList, time, subject] = line.split("\0");
    const parents = parentList === "" ? [] : parentList.split(" ");
    gateSeen ||= sha === gate;
    const logText = await readAt(root, sha, OVERRIDE_LOG);
    const commit: FirstParentCommit = {
      sha,
      parents,
      subject,
      time: Number(time) * 1000,
      changed: await changedPaths(root, sha, parents),
      logAppendOnly: logText.startsWith(previousLog),
    };
    previousLog = logText;
    if (gateSeen && parents.length > 1 && (since === null || commit.time >= since)) {
      commit.proof = await proveMerge(root, sha, reader);
    }
    commits.push(commit);
  }
  return { commits, gate };
}

/** Paths changed against the first parent, project-relative; every path of a root commit. */
async function changedPaths(root: string, sha: string, parents: string[]): Promise<string[]> {
  const base = parents.length === 0 ? ["--root", sha] : [parents[0], sha];
  const text = await gitRun(root, [
    "diff-tree",
    "-r",
    "--no-commit-id",
    "--no-renames",
    "--name-only",
    "-z",
    "--relative",
    ...base,
  ]);
  return text.split("\0").filter((path) => path !== "");
}

/** Whether the merge gate's proof holds for merge `sha`, and why not. */
async function proveMerge(root: string, sha: string, reader: RunReader): Promise<MergeProofFact> {
  try {
    const proof = await verifyMergeCommit(root, sha, reader);
    return { proven: true, runIds: proof.tips.map((tip) => tip.runId) };
  } catch (error) {
    if (!(error instanceof CheckError)) throw error;
    return {
      proven: false,
      problem: error.message,
      details: error.details,
    };
  }
}

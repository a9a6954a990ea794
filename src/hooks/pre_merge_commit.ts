/**
 * The merge gate: each merged branch tip must be proven by a run named in the merge message
 * (`MLflow-Run: <id>`) or noted on the tip (refs/notes/mlflow).
 *
 * Where git lets a hook see what (git 2.39, checked by the tests):
 * - `pre-merge-commit` runs for a merge that commits without conflicts, before git writes
 *   MERGE_HEAD and MERGE_MSG: the merged tips are only in the `GITHEAD_<sha>` variables git
 *   exports, and the message is not visible at all.
 * - `commit-msg` runs for every merge commit (clean ones after pre-merge-commit, and those
 *   finished by `git commit` after resolving conflicts, which skip pre-merge-commit), with
 *   MERGE_HEAD written and the final message in the file it is given.
 * So pre-merge-commit proves what the notes can prove and, when they cannot, leaves the decision
 * to commit-msg if that hook is installed; commit-msg is the gate that sees the message. Both
 * refuse a merge whose tree (the index's, which the merge commit will have) differs from a
 * proven tip's on a path that affects a run (src/merge/run_paths.ts: an "evil merge"), or whose
 * override log lacks the entries of a proven run that used an escape hatch.
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import { CheckError } from "../errors.ts";
import { gitRun } from "../fingerprint/git.ts";
import {
  checkEscapeHatchesLogged,
  checkMergeTrees,
  indexOverrideLog,
  proveMergedHeads,
} from "../merge/prove_merge.ts";
import { indexTree } from "../merge/run_paths.ts";
import type { VerifyResult } from "../merge/verify_run.ts";
import type { RunReader } from "../tracking/run_record.ts";

const GITHEAD = /^GITHEAD_([0-9a-f]{40,64})$/;

/**
 * The commits being merged in: MERGE_HEAD when git has written it, else the `GITHEAD_<sha>`
 * variables `git merge` exports to its hooks. Empty when no merge is in progress.
 */
export async function mergedHeads(
  root: string,
  env: Record<string, string | undefined>,
): Promise<string[]> {
  const mergeHead = await readGitFile(root, "MERGE_HEAD");
  if (mergeHead !== null) {
    return mergeHead.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  }
  return Object.keys(env).flatMap((key) => GITHEAD.exec(key)?.[1] ?? []).sort();
}

/**
 * `mlp hook pre-merge-commit`. Returns the proofs, or `null` when the notes prove nothing and
 * the decision is left to the commit-msg hook, which will see the merge message.
 *
 * @throws {CheckError} when no merge is in progress, a tip is not proven and no commit-msg
 *   hook is installed to look at the message, or the merge's tree differs from a proven tip's.
 */
export async function preMergeCommit(
  root: string,
  reader: RunReader,
  env: Record<string, string | undefined>,
): Promise<VerifyResult[] | null> {
  const heads = await mergedHeads(root, env);
  if (heads.length === 0) {
    throw new CheckError("No merge is in progress", {
      hint: "git runs this hook during `git merge`; to check a commit by hand, run " +
        "`mlp verify-run --commit <sha>`",
    });
  }
  const message = await readGitFile(root, "MERGE_MSG");
  let proofs: VerifyResult[];
  try {
    proofs = await proveMergedHeads(root, heads, message, reader);
  } catch (error) {
    if (error instanceof CheckError && message === null && await commitMsgHookInstalled(root)) {
      return null;
    }
    throw error;
  }
  await checkMergeTrees(root, await indexTree(root), proofs, "the merge");
  await checkEscapeHatchesLogged(reader, proofs, await indexOverrideLog(root));
  return proofs;
}

/**
 * `mlp hook commit-msg <file>`: when the commit being made concludes a merge, proves the merged
 * tips with the runs named in the final message or noted on the tips. Returns `null` for a
 * commit that is not a merge, without opening the MLflow store (ordinary commits need none).
 *
 * @throws {CheckError} when a merged tip is not proven or the merge's tree differs from its.
 */
export async function commitMsg(
  root: string,
  messageFile: string,
  openReader: () => RunReader | Promise<RunReader>,
): Promise<VerifyResult[] | null> {
  const heads = await mergedHeads(root, {});
  if (heads.length === 0) return null;
  const path = isAbsolute(messageFile) ? messageFile : join(root, messageFile);
  const message = await Deno.readTextFile(path);
  const reader = await openReader();
  let proofs: VerifyResult[];
  try {
    proofs = await proveMergedHeads(root, heads, message, reader);
    await checkMergeTrees(root, await indexTree(root), proofs, "the merge");
    await checkEscapeHatchesLogged(reader, proofs, await indexOverrideLog(root));
  } finally {
    reader.close();
  }
  return proofs;
}

/** Whether git will run a commit-msg hook (core.hooksPath respected). */
async function commitMsgHookInstalled(root: string): Promise<boolean> {
  const path = await gitPath(root, "hooks/commit-msg");
  try {
    return ((await Deno.stat(path)).mode ?? 0) & 0o111 ? true : false;
  } catch {
    return false;
  }
}

/** Reads a file in the git directory (MERGE_HEAD, MERGE_MSG); `null` when it does not exist. */
async function readGitFile(root: string, name: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(await gitPath(root, name));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

async function gitPath(root: string, name: string): Promise<string> {
  const path = (await gitRun(root, ["rev-parse", "--git-path", name])).trim();
  return isAbsolute(path) ? path : join(root, path);
}

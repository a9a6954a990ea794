/**
 * Proving a merge: each merged tip by a run (named in the merge message or noted on the tip),
 * and the merge's own tree equal to the proven tip's tree on every run path (run_paths.ts). The
 * merge gate proves the merge being made (its tree is the index's); `mlp verify-run --commit
 * <merge>` proves a merge commit after the fact, which is how an amended merge is caught. A
 * proven run that used an escape hatch (`--unsandboxed`, `--override-protected`) needs its
 * override-log entries in the merged log.
 *
 * @module
 */
import { missingFromMergedLog, readAt } from "../audit/override_anchor.ts";
import { OVERRIDE_LOG } from "../audit/override_log.ts";
import { CheckError } from "../errors.ts";
import { gitRun, resolveCommit } from "../fingerprint/git.ts";
import type { RunReader } from "../tracking/run_record.ts";
import { readRunNotes } from "./notes.ts";
import { runIdsFromMessage } from "./run_ids.ts";
import { checkMergeTree } from "./run_paths.ts";
import { type VerifyResult, verifyRun } from "./verify_run.ts";

/**
 * Proves every merged tip with the runs named in `message` (when known) and noted on the tip.
 *
 * @throws {CheckError} for the first tip no run proves.
 */
export async function proveMergedHeads(
  root: string,
  heads: string[],
  message: string | null,
  reader: RunReader,
): Promise<VerifyResult[]> {
  const named = message === null ? [] : runIdsFromMessage(message);
  const results: VerifyResult[] = [];
  for (const head of heads) {
    const runIds = [...new Set([...named, ...await readRunNotes(root, head)])];
    results.push(await verifyRun(root, { commit: head, runIds, reader }));
  }
  return results;
}

/**
 * Refuses a merge whose tree differs from any proven tip's tree on a run path.
 *
 * @param tree The merge's tree (the index's for a merge being made, else the merge commit).
 * @param what How to name the merge in the message.
 * @throws {CheckError} naming the paths.
 */
export async function checkMergeTrees(
  root: string,
  tree: string,
  proofs: VerifyResult[],
  what: string,
): Promise<void> {
  for (const proof of proofs) await checkMergeTree(root, tree, proof, what);
}

/**
 * Refuses a merge whose override log (`mergedLog`: the log in the merge's tree) lacks an entry a
 * proven run anchors, or the `unsandboxed` entry of a proven run without the sandbox.
 *
 * @throws {CheckError} naming the run, what is missing and how to add it.
 */
export async function checkEscapeHatchesLogged(
  reader: RunReader,
  proofs: VerifyResult[],
  mergedLog: string,
): Promise<void> {
  for (const proof of proofs) {
    const run = await reader.getRun(proof.runId);
    if (run === null) continue;
    const missing = await missingFromMergedLog(reader, run, mergedLog, OVERRIDE_LOG);
    if (missing.length === 0) continue;
    throw new CheckError(
      `The merged ${OVERRIDE_LOG} lacks the entries of MLflow run ${run.runId}, which used an ` +
        "escape hatch",
      {
        details: missing,
        hint: `bring the run's entries into the merge: \`git merge --no-commit <branch>\`, ` +
          `append the lines naming run ${run.runId} from ${OVERRIDE_LOG} of the clone where it ` +
          `ran, \`git add ${OVERRIDE_LOG}\`, then \`git commit\``,
      },
    );
  }
}

/** The override log as the merge being made will have it (the index's). */
export function indexOverrideLog(root: string): Promise<string> {
  return readAt(root, "", OVERRIDE_LOG);
}

/** What `mlp verify-run --commit <merge>` established. */
export interface MergeProof {
  /** Full SHA of the merge commit. */
  merge: string;
  /** One proof per merged tip (every parent after the first). */
  tips: VerifyResult[];
}

/**
 * The parents of `commit`, first parent first; one for an ordinary commit.
 *
 * @throws {CheckError} when `commit` is not a commit.
 */
export async function commitParents(root: string, commit: string): Promise<string[]> {
  const sha = await resolveCommit(root, commit);
  return (await gitRun(root, ["rev-list", "--parents", "-n", "1", sha])).trim().split(" ").slice(1);
}

/**
 * Proves a merge commit as the gate proved it when it was made: each merged tip by `runId` when
 * given, else by the runs named in the merge's message or noted on the tip, and the merge's
 * tree equal to each proven tip's on every run path, and its override log holding the entries of
 * each proven run that used an escape hatch.
 *
 * @throws {CheckError} when a tip is not proven, the merge's tree differs from it, or the
 *   merge's log lacks an entry.
 */
export async function verifyMergeCommit(
  root: string,
  merge: string,
  reader: RunReader,
  runId?: string,
): Promise<MergeProof> {
  const sha = await resolveCommit(root, merge);
  const tips = (await commitParents(root, sha)).slice(1);
  const message = await gitRun(root, ["log", "-1", "--format=%B", sha]);
  const proofs = runId === undefined
    ? await proveMergedHeads(root, tips, message, reader)
    : await Promise.all(tips.map((tip) => verifyRun(root, { commit: tip, runId, reader })));
  await checkMergeTrees(root, sha, proofs, `merge commit ${sha.slice(0, 12)}`);
  await checkEscapeHatchesLogged(reader, proofs, await readAt(root, sha, OVERRIDE_LOG));
  return { merge: sha, tips: proofs };
}

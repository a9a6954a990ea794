/**
 * Run IDs attached to commits as git notes under `refs/notes/mlflow`: `mlp run` on a clean tree
 * notes its run on HEAD, and the merge gate reads the note of the branch tip it merges. Notes
 * travel with `git push origin refs/notes/mlflow` / `git fetch origin refs/notes/mlflow:refs/notes/mlflow`.
 *
 * @module
 */
import { gitOutput, gitRun } from "../fingerprint/git.ts";
import { runIdsFromMessage, sealsFromNote } from "./run_ids.ts";

/** The notes ref, as `git notes --ref` takes it (refs/notes/mlflow). */
export const NOTES_REF = "mlflow";

/**
 * Adds `MLflow-Run: <runId>` to the note of `commit`, and `MLflow-Seal: <runId> <seal>` when the
 * run is sealed (docs/seal.md), keeping the IDs already there. Does nothing when the note already
 * names the run. The note is what the merge gate compares the store's seal with: a store rewritten
 * after the run cannot also rewrite a note that was pushed.
 *
 * A note is a commit on refs/notes/mlflow, so git needs a committer identity. When the
 * repository has no `user.email` (a machine where only MLP_OPERATOR is set), the note is written
 * as `mlp <operator>` (`mlp@localhost` without an operator) rather than failing after a
 * successful run; a configured identity is always kept.
 *
 * @param operator Who ran it (MLP_OPERATOR or the git email), used only without `user.email`.
 * @param seal The run's seal, when it has one.
 * @throws {CheckError} when git fails (e.g. `commit` is not a commit).
 */
export async function attachRunNote(
  root: string,
  commit: string,
  runId: string,
  operator?: string,
  seal?: string | null,
): Promise<void> {
  if ((await readRunNotes(root, commit)).includes(runId.toLowerCase())) return;
  const configured = await gitOutput(root, ["config", "user.email"]);
  const hasEmail = configured.code === 0 && new TextDecoder().decode(configured.stdout).trim();
  const identity = hasEmail
    ? []
    : ["-c", "user.name=mlp", "-c", `user.email=${operator || "mlp@localhost"}`];
  await gitRun(root, [
    ...identity,
    "notes",
    `--ref=${NOTES_REF}`,
    "append",
    "-m",
    `MLflow-Run: ${runId}` + (seal ? `\nMLflow-Seal: ${runId} ${seal}` : ""),
    commit,
  ]);
}

/** The run IDs in the note of `commit`, oldest first; `[]` when it has no note. */
export async function readRunNotes(root: string, commit: string): Promise<string[]> {
  return runIdsFromMessage(await noteText(root, commit));
}

/** The seals in the note of `commit`, by run ID; empty when it has no note. */
export async function readRunSeals(root: string, commit: string): Promise<Map<string, string>> {
  return sealsFromNote(await noteText(root, commit));
}

async function noteText(root: string, commit: string): Promise<string> {
  const output = await gitOutput(root, ["notes", `--ref=${NOTES_REF}`, "show", commit]);
  if (output.code !== 0) {
    // "no note found for object" is the normal case; anything else (a bad commit) is an error.
    if (/no note found/i.test(output.stderr)) return "";
    await gitRun(root, ["notes", `--ref=${NOTES_REF}`, "show", commit]);
  }
  return new TextDecoder().decode(output.stdout);
}

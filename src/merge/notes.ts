/**
 * Run IDs attached to commits as git notes under `refs/notes/mlflow`: `mlp run` on a clean tree
 * notes its run on HEAD, and the merge gate reads the note of the branch tip it merges. Notes
 * travel with `git push origin refs/notes/mlflow` / `git fetch origin refs/notes/mlflow:refs/notes/mlflow`.
 *
 * @module
 */
import { gitOutput, gitRun } from "../fingerprint/git.ts";
import { runIdsFromMessage } from "./run_ids.ts";

/** The notes ref, as `git notes --ref` takes it (refs/notes/mlflow). */
export const NOTES_REF = "mlflow";

/**
 * Adds `MLflow-Run: <runId>` to the note of `commit`, keeping the IDs already there. Does
 * nothing when the note already names the run.
 *
 * @throws {CheckError} when git fails (e.g. `commit` is not a commit).
 */
export async function attachRunNote(root: string, commit: string, runId: string): Promise<void> {
  if ((await readRunNotes(root, commit)).includes(runId.toLowerCase())) return;
  await gitRun(root, [
    "notes",
    `--ref=${NOTES_REF}`,
    "append",
    "-m",
    `MLflow-Run: ${runId}`,
    commit,
  ]);
}

/** The run IDs in the note of `commit`, oldest first; `[]` when it has no note. */
export async function readRunNotes(root: string, commit: string): Promise<string[]> {
  const output = await gitOutput(root, ["notes", `--ref=${NOTES_REF}`, "show", commit]);
  if (output.code !== 0) {
    // "no note found for object" is the normal case; anything else (a bad commit) is an error.
    if (/no note found/i.test(output.stderr)) return [];
    await gitRun(root, ["notes", `--ref=${NOTES_REF}`, "show", commit]);
  }
  return runIdsFromMessage(new TextDecoder().decode(output.stdout));
}

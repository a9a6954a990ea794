/**
 * The project's main branch: what was merged through the merge gate, so what promotion takes and
 * whose standards name the approvers (src/audit/approvers.ts).
 *
 * @module
 */
import { CheckError } from "../errors.ts";
import { gitOutput } from "../fingerprint/git.ts";

/**
 * The main branch and its tip: `main`, or `master` when the repository has no `main`.
 *
 * @throws {CheckError} when the repository has neither.
 */
export async function mainBranch(root: string): Promise<{ branch: string; commit: string }> {
  for (const branch of ["main", "master"]) {
    const out = await gitOutput(root, [
      "rev-parse",
      "--verify",
      "--quiet",
      `refs/heads/${branch}^{commit}`,
    ]);
    if (out.code === 0) return { branch, commit: new TextDecoder().decode(out.stdout).trim() };
  }
  throw new CheckError("The repository has no main branch (neither `main` nor `master`)", {
    hint: "promotion takes a run whose commit is on the main branch: create it and merge into it",
  });
}

/** Whether `commit` is `of` or an ancestor of it. */
export async function isAncestor(root: string, commit: string, of: string): Promise<boolean> {
  return (await gitOutput(root, ["merge-base", "--is-ancestor", commit, of])).code === 0;
}

/**
 * The paths of a project that affect a run, and the "evil merge" check: a merge commit proves
 * nothing about its own tree unless that tree equals the proven commit's tree on every one of
 * them. A merge that edits `src/` while resolving, or a merge amended afterwards
 * (`git commit --amend`), would otherwise carry code no run ever ran under a proof.
 *
 * @module
 */
import { CheckError } from "../errors.ts";
import { gitOutput, gitRun } from "../fingerprint/git.ts";

/**
 * Project-relative paths whose contents a run reads or is fingerprinted by:
 * - `src`: the project code the trainer imports (features.py, model.py, helpers);
 * - `configs`: the experiment config, the reasoning and the standards it is checked against;
 * - `data`: the datasets a config names by hash (data/shadow/<hash>) and the production rows;
 * - `uv.lock`, `pyproject.toml`, `.python-version`: the environment uv builds the run's `.venv`
 *   from and whose lock hash the run records.
 */
export const RUN_PATHS: readonly string[] = [
  "src",
  "configs",
  "data",
  "uv.lock",
  "pyproject.toml",
  ".python-version",
];

/**
 * The run paths (or files under them) whose contents differ between two tree-ish objects
 * (commits or trees), project-relative and sorted.
 *
 * @throws {CheckError} when git cannot compare them.
 */
export async function runPathDifferences(root: string, a: string, b: string): Promise<string[]> {
  // --relative: the project may be a subdirectory of the repository; paths come back relative
  // to it, and the pathspecs below are relative to it too.
  const text = await gitRun(root, [
    "diff",
    "--no-ext-diff",
    "--no-renames",
    "--no-textconv",
    "--name-only",
    "-z",
    "--relative",
    a,
    b,
    "--",
    ...RUN_PATHS,
  ]);
  return text.split("\0").filter((path) => path !== "").sort();
}

/**
 * The tree git's index holds now: the tree the commit being made will have (pre-merge-commit
 * and commit-msg run before git writes the commit; `GIT_INDEX_FILE`, which `git commit -a`
 * sets for its hooks, is respected).
 */
export async function indexTree(root: string): Promise<string> {
  const output = await gitOutput(root, ["write-tree"]);
  if (output.code !== 0) {
    throw new CheckError("The index cannot be written as a tree: the merge is not resolved", {
      details: output.stderr === "" ? [] : output.stderr.trim().split("\n"),
      hint: "resolve every conflict and `git add` the files, then commit again",
    });
  }
  return new TextDecoder().decode(output.stdout).trim();
}

/**
 * Refuses a merge whose tree (`mergeTree`: a tree or commit) differs from the proven commit's
 * tree on a run path.
 *
 * @param what How to name the merge in the message ("the merge", "merge commit 1a2b3c4d5e6f").
 * @throws {CheckError} naming every differing path and how to make a merge that passes.
 */
export async function checkMergeTree(
  root: string,
  mergeTree: string,
  proven: { commit: string; runId: string },
  what: string,
): Promise<void> {
  const paths = await runPathDifferences(root, proven.commit, mergeTree);
  if (paths.length === 0) return;
  const short = proven.commit.slice(0, 12);
  throw new CheckError(
    `${capitalize(what)} differs from the proven commit ${short} (MLflow run ${proven.runId}) ` +
      "in files that affect a run",
    {
      details: paths.map((path) => `"${path}" differs from ${short}`),
      hint:
        `the merged tree must be what the run ran: undo the edits to ${
          paths.map((p) => `"${p}"`).join(", ")
        } in the merge, or commit them on the branch (merging the target branch in first if it ` +
        "changed them), run `mlp run` there and merge the new tip",
    },
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

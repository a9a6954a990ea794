/**
 * `mlp guard`: the training guard over the work tree, with the pre-commit hook's rule and code
 * (`planScan`, `guardItem`), so a project's own tests can run the same check the hook runs.
 * Without paths it checks every file a commit could hold: tracked and untracked files that git
 * does not ignore (a virtual environment full of `.fit(` is ignored, as git ignores it), with
 * symlinks judged as what they point to among those files.
 *
 * @module
 */
import { isAbsolute, join, relative, resolve } from "node:path";
import { InputError } from "../errors.ts";
import { gitRun } from "../fingerprint/git.ts";
import { projectRelative } from "../project/paths.ts";
import type { FileProblem } from "./check_file.ts";
import { byFile, guardItem, type GuardTree, planScan, type TreeEntry } from "./guard_tree.ts";
import { isExcludedPath } from "./python_files.ts";

/** What `guardProject` checked and found. */
export interface GuardReport {
  /** Project-relative paths of the files checked, sorted. */
  checked: string[];
  /** Files named on the command line that the guard does not check, and why. */
  skipped: { path: string; reason: string }[];
  problems: FileProblem[];
}

const PATHS_HINT =
  "name files or folders of the project, or run `mlp guard` alone to check all of it";

/**
 * Runs the training guard over the project at `root`.
 *
 * @param paths Files or folders to check (relative to `cwd`); none: the whole project. A folder
 *   stands for the files in it that git tracks or would add.
 * @throws {InputError} when a path does not exist or lies outside the project.
 * @throws {CheckError} when `root` is not in a git repository.
 */
export async function guardProject(
  root: string,
  paths: readonly string[],
  cwd: string,
): Promise<GuardReport> {
  const listing = await committableFiles(root);
  const judged = new Set<string>(paths.length === 0 ? listing : []);
  const named: string[] = [];
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    const fromRoot = relative(root, absolute);
    if (fromRoot.startsWith("..") || isAbsolute(fromRoot)) {
      throw new InputError(`"${path}" is outside the project "${root}"`, { hint: PATHS_HINT });
    }
    const info = await lstatOrUndefined(absolute);
    if (!info) throw new InputError(`"${path}" does not exist`, { hint: PATHS_HINT });
    const rel = projectRelative(root, absolute);
    if (info.isDirectory) {
      for (const file of listing) if (rel === "" || file.startsWith(`${rel}/`)) judged.add(file);
    } else {
      judged.add(rel);
      named.push(rel);
    }
  }
  const tree = await workTree(root, [...new Set([...listing, ...named])]);
  const plan = planScan(tree, [...judged].sort());
  const checked: string[] = [];
  const problems = [...plan.problems];
  for (const item of plan.items) {
    const found = guardItem(item, await Deno.readFile(join(root, item.source)));
    if (found === undefined) continue;
    checked.push(item.path);
    problems.push(...found);
  }
  // A linked folder is judged through the files in it.
  const judgedFiles = [...checked, ...problems.map((problem) => problem.file)];
  const isJudged = (path: string) =>
    judgedFiles.some((file) => file === path || file.startsWith(`${path}/`));
  const skipped = named.filter((path) => !isJudged(path)).map((path) => ({
    path,
    reason: isExcludedPath(path)
      ? "tests/ and scripts/ may train"
      : "the guard reads Python files and notebooks only",
  }));
  return { checked: checked.sort(), skipped, problems: byFile(problems) };
}

/** The work tree's entries at `paths` (a tracked file deleted from the work tree is left out). */
async function workTree(root: string, paths: readonly string[]): Promise<GuardTree> {
  const entries = new Map<string, TreeEntry>();
  const targets = new Map<string, string>();
  for (const path of paths) {
    const info = await lstatOrUndefined(join(root, path));
    if (info?.isSymlink) {
      entries.set(path, { kind: "link", executable: false });
      targets.set(path, await Deno.readLink(join(root, path)));
    } else if (info?.isFile) {
      entries.set(path, { kind: "file", executable: ((info.mode ?? 0) & 0o111) !== 0 });
    }
  }
  return { entries, linkTarget: (path) => targets.get(path) ?? "" };
}

async function lstatOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  return await Deno.lstat(path).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  });
}

/** Tracked and untracked, not ignored files of the project, project-relative. */
async function committableFiles(root: string): Promise<string[]> {
  const output = await gitRun(root, [
    "ls-files",
    "-z",
    "--cached",
    "--others",
    "--exclude-standard",
  ]);
  return [...new Set(output.split("\0").filter((path) => path !== ""))];
}

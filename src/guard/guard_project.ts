/**
 * `mlp guard`: the training guard over the work tree, with the pre-commit hook's rule and code
 * (`guardFile`, `isGuardedPath`), so a project's own tests can run the same check the hook runs.
 * Without paths it checks every file a commit could hold: tracked and untracked files that git
 * does not ignore (a virtual environment full of `.fit(` is ignored, as git ignores it).
 *
 * @module
 */
import { isAbsolute, relative, resolve } from "node:path";
import { InputError } from "../errors.ts";
import { gitRun } from "../fingerprint/git.ts";
import { projectRelative } from "../project/paths.ts";
import { type FileProblem, guardFile } from "./check_file.ts";
import { isGuardedPath } from "./training_guard.ts";

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
  const files = new Set<string>();
  const skipped: GuardReport["skipped"] = [];
  if (paths.length === 0) {
    for (const path of await committableFiles(root, [])) files.add(path);
  }
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    const fromRoot = relative(root, absolute);
    if (fromRoot.startsWith("..") || isAbsolute(fromRoot)) {
      throw new InputError(`"${path}" is outside the project "${root}"`, { hint: PATHS_HINT });
    }
    const info = await Deno.stat(absolute).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    });
    if (!info) throw new InputError(`"${path}" does not exist`, { hint: PATHS_HINT });
    const rel = projectRelative(root, absolute);
    if (info.isDirectory) {
      for (const file of await committableFiles(root, [rel === "" ? "." : rel])) files.add(file);
    } else if (isGuardedPath(rel)) {
      files.add(rel);
    } else {
      skipped.push({ path: rel, reason: skipReason(rel) });
    }
  }
  const checked: string[] = [];
  const problems: FileProblem[] = [];
  for (const file of [...files].filter(isGuardedPath).sort()) {
    const source = await Deno.readTextFile(resolve(root, file)).catch((error) => {
      // git still lists a tracked file deleted from the work tree: a commit would not hold it.
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    });
    if (source === undefined) continue;
    checked.push(file);
    problems.push(...guardFile(file, source));
  }
  return { checked, skipped, problems };
}

/** Why `isGuardedPath` leaves a file out. */
function skipReason(path: string): string {
  return path.endsWith(".py") || path.endsWith(".ipynb")
    ? "tests/ and scripts/ may train"
    : "the guard reads Python files and notebooks only";
}

/** Tracked and untracked, not ignored files under `pathspecs` (all: none), project-relative. */
async function committableFiles(root: string, pathspecs: string[]): Promise<string[]> {
  const output = await gitRun(root, [
    "ls-files",
    "-z",
    "--cached",
    "--others",
    "--exclude-standard",
    "--",
    ...pathspecs,
  ]);
  return output.split("\0").filter((path) => path !== "");
}

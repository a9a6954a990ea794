/**
 * What makes a work tree dirty beyond what `git status` reports (docs/architecture.md
 * "Fingerprints"): index entries git was told to stop checking, and files under `src/` that git
 * does not track, ignored ones included, since the trainer imports from `src/` whatever git thinks
 * of it. Pure, so the rules are tested without a repository; git.ts runs the commands.
 *
 * @module
 */

/** The folder on the trainer's `sys.path`: anything in it can be imported by project code. */
export const CODE_DIR = "src";

/**
 * Bytecode caches Python writes itself: `<module>.<tag>[.opt-N].pyc` inside `__pycache__/`. They are
 * not importable as modules (a module name has no dot), and the trainer never reads them (it
 * compiles project code from source), so a `pytest` run that left them does not make a tree dirty.
 */
const PYTHON_CACHE = /(^|\/)__pycache__\/[^/]+\.[^/]+\.pyc$/;

/**
 * True for a bytecode cache Python writes itself (`src/__pycache__/features.cpython-311.pyc`),
 * false for an importable name (`src/__pycache__/evil.pyc`, `src/helpers.pyc`).
 */
export function isPythonCache(path: string): boolean {
  return PYTHON_CACHE.test(path);
}

/**
 * Reads `git ls-files -v -z --full-name` output and returns one reason per entry marked
 * assume-unchanged (lowercase tag) or skip-worktree (`S`): git does not compare such a file with
 * the commit, so its content on disk is unknown to `git status`.
 *
 * @example Usage
 * ```ts
 * import { flaggedEntries } from "./dirty_rules.ts";
 * flaggedEntries("H uv.lock\0h src/features.py\0S src/model.py\0");
 * // => ['"src/features.py" is marked assume-unchanged', '"src/model.py" is marked skip-worktree']
 * ```
 */
export function flaggedEntries(lsFilesV: string): string[] {
  return flaggedPaths(lsFilesV).map(({ path, flag }) => `"${path}" is marked ${flag}`);
}

/** The entries of `git ls-files -v -z` output marked assume-unchanged or skip-worktree. */
export function flaggedPaths(
  lsFilesV: string,
): { path: string; flag: "assume-unchanged" | "skip-worktree" }[] {
  const flagged: { path: string; flag: "assume-unchanged" | "skip-worktree" }[] = [];
  for (const entry of lsFilesV.split("\0")) {
    if (entry === "") continue;
    const tag = entry.slice(0, 1);
    const path = entry.slice(2);
    if (tag === "S" || tag === "s") flagged.push({ path, flag: "skip-worktree" });
    else if (tag !== tag.toUpperCase()) flagged.push({ path, flag: "assume-unchanged" });
  }
  return flagged;
}

/**
 * Reads `git ls-files -z --others -- src` output (untracked files under `src/`, ignored ones
 * included) and returns one reason per file project code could run: all of them except the
 * bytecode caches Python writes into `__pycache__/`. A sourceless `.pyc`, an extension module or
 * a `.py` file excluded by `.gitignore` or `.git/info/exclude` all count.
 *
 * @example Usage
 * ```ts
 * import { untrackedCode } from "./dirty_rules.ts";
 * untrackedCode("src/__pycache__/features.cpython-311.pyc\0src/helpers.pyc\0");
 * // => ['"src/helpers.pyc" is not tracked by git']
 * ```
 */
export function untrackedCode(lsFilesOthers: string): string[] {
  return untrackedCodePaths(lsFilesOthers).map((path) => `"${path}" is not tracked by git`);
}

/** The paths of {@linkcode untrackedCode}: untracked files under `src/` but Python's caches. */
export function untrackedCodePaths(lsFilesOthers: string): string[] {
  return lsFilesOthers.split("\0").filter((path) => path !== "" && !isPythonCache(path));
}

/**
 * Conflict markers left in a file by a merge, a rebase or `copier update` (which writes them
 * inline, as git does). A file holds a conflict only when it has the whole triple in order: a
 * line starting `<<<<<<< `, then a line that is exactly `=======`, then one starting `>>>>>>> `.
 * A lone `=======` is a Markdown heading underline or a YAML comment rule, so it alone is never
 * taken for one.
 *
 * @module
 */
import type { FileProblem } from "../guard/check_file.ts";
import { gitRun } from "../fingerprint/git.ts";
import { join } from "node:path";

/** The first conflict in a text: the lines (1-based) of its opening and closing markers. */
export interface ConflictSpan {
  start: number;
  end: number;
}

const OPEN = /^<<<<<<<(?: |$)/;
const SEPARATOR = /^=======$/;
const CLOSE = /^>>>>>>>(?: |$)/;

/**
 * The first complete conflict (opening marker, separator, closing marker, in that order) in
 * `text`, or null. Lines may end with `\r\n`.
 *
 * @example Usage
 * ```ts
 * import { findConflict } from "./conflict_markers.ts";
 * findConflict("a\n<<<<<<< before updating\nx\n=======\ny\n>>>>>>> after updating\n");
 * // => { start: 2, end: 6 }
 * findConflict("Title\n=======\n"); // => null
 * ```
 */
export function findConflict(text: string): ConflictSpan | null {
  const lines = text.split("\n");
  let start = 0;
  let separated = false;
  for (const [i, raw] of lines.entries()) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (OPEN.test(line)) {
      start = i + 1;
      separated = false;
    } else if (start > 0 && SEPARATOR.test(line)) {
      separated = true;
    } else if (start > 0 && separated && CLOSE.test(line)) {
      return { start, end: i + 1 };
    }
  }
  return null;
}

/** Git's test for a binary file: a NUL byte in the first 8,000 bytes. */
export function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

/**
 * The finding for a file's bytes that hold a conflict (binary files never do), or null.
 *
 * @example Usage
 * ```ts
 * import { conflictProblem } from "./conflict_markers.ts";
 * const text = "<<<<<<< HEAD\na\n=======\nb\n>>>>>>> main\n";
 * conflictProblem("README.md", new TextEncoder().encode(text))?.line; // => 1
 * ```
 */
export function conflictProblem(file: string, bytes: Uint8Array): FileProblem | null {
  if (isBinary(bytes)) return null;
  const span = findConflict(new TextDecoder().decode(bytes));
  if (span === null) return null;
  return {
    file,
    line: span.start,
    message: `conflict markers are left in the file (lines ${span.start}-${span.end})`,
    hint: "resolve the conflict: keep the right text between the markers, delete the " +
      "`<<<<<<<`, `=======` and `>>>>>>>` lines, then `git add` the file",
  };
}

/**
 * Every file of the work tree at `root` that git tracks or would add (untracked, not ignored)
 * and that holds conflict markers, sorted by path: what `mlp audit` reports for the tree.
 */
export async function treeConflicts(root: string): Promise<FileProblem[]> {
  const listed = await gitRun(root, [
    "ls-files",
    "-z",
    "--cached",
    "--others",
    "--exclude-standard",
  ]);
  const paths = [...new Set(listed.split("\0").filter((path) => path !== ""))];
  const problems: FileProblem[] = [];
  for (const path of paths) {
    let bytes: Uint8Array;
    try {
      const info = await Deno.lstat(join(root, path));
      if (!info.isFile) continue;
      bytes = await Deno.readFile(join(root, path));
    } catch (error) {
      // A tracked file deleted from the work tree holds no markers.
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    const problem = conflictProblem(path, bytes);
    if (problem !== null) problems.push(problem);
  }
  return problems;
}

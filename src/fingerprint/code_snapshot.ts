/**
 * What a run's code snapshot takes (docs/architecture.md "Code snapshot"): every file under `src/`
 * but Python's own bytecode caches, symbolic links kept as links only when they stay inside `src/`
 * (in the snapshot they then resolve inside the snapshot, never to the live tree), and nothing
 * else. Pure: the entries come from git's tree (a clean run) or from the work tree (a dirty one),
 * read by `src/run/code_snapshot.ts`.
 *
 * @module
 */
import { posix } from "node:path";
import { CheckError } from "../errors.ts";
import { CODE_DIR, isPythonCache } from "./dirty_rules.ts";

/** One entry under `src/`, project-relative, as git or the disk lists it. */
export interface CodeEntry {
  /** Project-relative path with forward slashes (`src/features.py`). */
  path: string;
  /** A regular file, a symbolic link, or anything else (a submodule, a FIFO, a socket). */
  kind: "file" | "symlink" | "other";
  /** A symbolic link's target text. */
  target?: string;
}

/** SHA-256 of no bytes: the `git_diff_hash` of a clean run, whose diff against HEAD is empty. */
export const EMPTY_DIFF_HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/**
 * Returns the entries a snapshot takes, sorted by path: Python's `__pycache__/*.pyc` caches are
 * left out (the trainer compiles project code from source and never reads them).
 *
 * @throws {CheckError} for a symbolic link whose target is absolute or leaves `src/` (the snapshot
 *   would run code from outside it), and for an entry that is neither a file nor a link.
 *
 * @example Usage
 * ```ts
 * import { snapshotEntries } from "./code_snapshot.ts";
 * snapshotEntries([
 *   { path: "src/features.py", kind: "file" },
 *   { path: "src/__pycache__/features.cpython-311.pyc", kind: "file" },
 * ]); // => [{ path: "src/features.py", kind: "file" }]
 * ```
 */
export function snapshotEntries(entries: readonly CodeEntry[]): CodeEntry[] {
  const taken: CodeEntry[] = [];
  for (const entry of entries) {
    if (isPythonCache(entry.path)) continue;
    if (entry.kind === "other") {
      throw new CheckError(`"${entry.path}" is neither a file nor a symbolic link`, {
        hint: `the trainer imports project code from a snapshot of ${CODE_DIR}/, which holds ` +
          `files only: move "${entry.path}" out of ${CODE_DIR}/ and run again`,
      });
    }
    if (entry.kind === "symlink" && !staysInside(entry.path, entry.target ?? "")) {
      throw new CheckError(
        `"${entry.path}" is a symbolic link to "${entry.target}", outside ${CODE_DIR}/`,
        {
          hint: `the run would import code mlp did not snapshot or hash: replace the link with ` +
            `the file itself (\`cp --remove-destination "$(readlink -f ${entry.path})" ` +
            `${entry.path}\`) or point it inside ${CODE_DIR}/ with a relative target`,
        },
      );
    }
    taken.push(entry);
  }
  return taken.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** True when the relative `target` of the link at `path` resolves inside `src/`. */
function staysInside(path: string, target: string): boolean {
  if (target === "" || posix.isAbsolute(target)) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  return resolved.startsWith(`${CODE_DIR}/`);
}

/**
 * Reads `git ls-tree -r -z HEAD -- src` output (run in the project root, so paths are
 * project-relative; lines `<mode> <type> <oid>\t<path>`) into
 * entries with their blob ids: mode 120000 is a link (its blob is the target), 100644/100755 a
 * file, anything else (a submodule) is `other`.
 */
export function parseLsTree(output: string): (CodeEntry & { oid: string })[] {
  return output.split("\0").filter((line) => line !== "").map((line) => {
    const tab = line.indexOf("\t");
    const [mode, , oid] = line.slice(0, tab).split(" ");
    const path = line.slice(tab + 1);
    const kind = mode === "120000" ? "symlink" : mode.startsWith("100") ? "file" : "other";
    return { path, kind, oid };
  });
}

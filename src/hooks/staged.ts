/**
 * The staged tree, as a commit will record it: which paths the index changes relative to HEAD,
 * and the bytes of index and HEAD blobs. Hooks must judge what is committed, not the work tree
 * (a file can be staged, then edited back). Blobs are read in one `git cat-file --batch` process:
 * the pre-commit hook runs on every commit, and one `git show` per file costs milliseconds each.
 *
 * @module
 */
import { catFileBatch, gitRun } from "../fingerprint/git.ts";

/** How the index changes a path: added, modified, deleted, or type-changed (file ↔ symlink). */
export type ChangeStatus = "A" | "M" | "D" | "T";

/** One path the commit changes. */
export interface StagedChange {
  status: ChangeStatus;
  /** Path relative to the project root, forward slashes. */
  path: string;
}

/**
 * The paths the index changes relative to HEAD (every staged path in a first commit). Renames
 * and copies are reported as a deletion plus an addition (`--no-renames`): every check reasons
 * about what appears and what disappears, and a rename does both.
 */
export async function stagedChanges(root: string): Promise<StagedChange[]> {
  const output = await gitRun(root, [
    "diff",
    "--cached",
    "--name-status",
    "--no-renames",
    "--relative",
    "-z",
  ]);
  const fields = output.split("\0");
  const changes: StagedChange[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    changes.push({ status: fields[i][0] as ChangeStatus, path: fields[i + 1] });
  }
  return changes;
}

/** Every path in the index under the given folders (project-relative, e.g. `configs/`). */
export async function indexPaths(root: string, folders: string[]): Promise<string[]> {
  const output = await gitRun(root, ["ls-files", "-z", "--", ...folders]);
  return output.split("\0").filter((path) => path !== "");
}

/**
 * Reads objects by revision spec in one git process: `:path` is the staged blob, `HEAD:path` the
 * committed one (paths relative to the project root). A spec that names nothing maps to `null`.
 */
export async function readObjects(
  root: string,
  specs: readonly string[],
): Promise<Map<string, Uint8Array | null>> {
  const result = new Map<string, Uint8Array | null>();
  // The batch protocol is line-based: a path with a newline cannot be asked for.
  const unique = [...new Set(specs)].filter((spec) => !spec.includes("\n"));
  if (unique.length === 0) return result;
  const objects = await catFileBatch(root, unique.map(revisionSpec));
  unique.forEach((spec, k) => result.set(spec, objects[k]));
  return result;
}

/** `:path` / `REV:path` → the same with `./`, so the path is relative to the project root. */
function revisionSpec(spec: string): string {
  const colon = spec.indexOf(":");
  return `${spec.slice(0, colon)}:./${spec.slice(colon + 1)}`;
}

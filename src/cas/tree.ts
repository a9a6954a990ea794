/**
 * Walking a directory tree without following symbolic links, so a dataset (or the files given to
 * `mlp data add`) can be checked for symlinks and special files instead of silently reading
 * through them to data elsewhere.
 *
 * @module
 */
import { join } from "node:path";
import { compareBytewise } from "./bytewise.ts";

/** One non-directory entry of a tree. */
export interface TreeEntry {
  /** Path relative to the walked directory, forward slashes. */
  path: string;
  /** `file` for regular files; `symlink`; `other` for sockets, FIFOs and devices. */
  kind: "file" | "symlink" | "other";
  /** Size in bytes (of the link itself for symlinks). */
  size: number;
}

/**
 * Lists every non-directory entry under `dir`, recursively, sorted by path bytewise. Symbolic
 * links are reported, never followed; empty directories contribute nothing.
 *
 * @example Usage
 * ```ts
 * import { listTree } from "./tree.ts";
 * await listTree("data/shadow/0a…"); // => [{ path: "MANIFEST.sha256", kind: "file", size: 171 }, …]
 * ```
 */
export async function listTree(dir: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  async function walk(relative: string): Promise<void> {
    for await (const entry of Deno.readDir(join(dir, relative))) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      const info = await Deno.lstat(join(dir, path));
      if (info.isDirectory) await walk(path);
      else if (info.isFile) entries.push({ path, kind: "file", size: info.size });
      else entries.push({ path, kind: info.isSymlink ? "symlink" : "other", size: info.size });
    }
  }
  await walk("");
  return entries.sort((a, b) => compareBytewise(a.path, b.path));
}

/**
 * Sets the permission bits of everything under `dir` and `dir` itself: `fileMode` on files,
 * `dirMode` on directories. Directories are changed after their contents, so making a tree
 * read-only never locks the walk out of a subdirectory, and making one writable opens each
 * directory before reading it.
 */
export async function chmodTree(dir: string, fileMode: number, dirMode: number): Promise<void> {
  const opening = (dirMode & 0o200) !== 0;
  if (opening) await Deno.chmod(dir, dirMode);
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) await chmodTree(path, fileMode, dirMode);
    else if (entry.isFile) await Deno.chmod(path, fileMode);
  }
  if (!opening) await Deno.chmod(dir, dirMode);
}

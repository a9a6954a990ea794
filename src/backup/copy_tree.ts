/**
 * Copying a directory of the project into a backup, hard-linking every file whose bytes the
 * previous backup already holds, so that a weekly backup of a large artifact store costs only
 * what changed since the last one (as `rsync --link-dest` does). A linked file is never written
 * through: backups are read-only, and a restore copies files out instead of linking them.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { CheckError } from "../errors.ts";
import { hashFile } from "../cas/hash_file.ts";
import { listTree } from "../cas/tree.ts";
import type { ManifestEntry } from "../cas/manifest.ts";

/** The previous backup, to link unchanged files against. */
export interface PreviousBackup {
  /** Its directory. */
  dir: string;
  /** Its manifest, path (relative to `dir`) → SHA-256. */
  hashes: ReadonlyMap<string, string>;
}

/** What copying one tree wrote. */
export interface CopiedTree {
  /** Every file copied or linked, path relative to the backup, with the SHA-256 of its bytes. */
  entries: ManifestEntry[];
  /** Bytes of every file in the copy. */
  bytes: number;
  /** Bytes written anew (files not linked against the previous backup). */
  newBytes: number;
}

/**
 * Copies the tree `source` to `<backup>/<prefix>/…`, linking files unchanged since `previous`.
 * A missing `source` copies nothing (a project with no audit log yet).
 *
 * @param onBytes Called with the number of bytes just handled, for progress.
 * @throws {CheckError} naming a symbolic link or a special file in the tree: a backup holds
 *   regular files only, and following a link would back up files from outside the project
 */
export async function copyTree(
  source: string,
  backup: string,
  prefix: string,
  previous: PreviousBackup | undefined,
  onBytes: (bytes: number) => void = () => {},
): Promise<CopiedTree> {
  let files;
  try {
    files = await listTree(source);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { entries: [], bytes: 0, newBytes: 0 };
    throw error;
  }
  const odd = files.find((file) => file.kind !== "file");
  if (odd) {
    throw new CheckError(
      `Cannot back up "${join(source, odd.path)}": it is a ${
        odd.kind === "symlink" ? "symbolic link" : "special file"
      }, and a backup holds regular files only`,
      {
        hint:
          "replace it by the file it stands for, or move it out of the folder; nothing was written",
      },
    );
  }
  const copied: CopiedTree = { entries: [], bytes: 0, newBytes: 0 };
  for (const file of files) {
    const path = `${prefix}/${file.path}`;
    const from = join(source, file.path);
    const to = join(backup, path);
    await Deno.mkdir(dirname(to), { recursive: true });
    const sha256 = await hashFile(from, file.size);
    const before = previous?.hashes.get(path);
    if (previous && before === sha256 && await linked(join(previous.dir, path), to)) {
      copied.entries.push({ path, sha256 });
    } else {
      await Deno.copyFile(from, to);
      // The manifest lists the bytes the backup holds: a file that changed while it was copied
      // is listed as copied.
      copied.entries.push({ path, sha256: await hashFile(to, file.size) });
      copied.newBytes += file.size;
    }
    copied.bytes += file.size;
    onBytes(file.size);
  }
  return copied;
}

/** Hard-links `from` to `to`; false when the two are on different file systems (then copy). */
async function linked(from: string, to: string): Promise<boolean> {
  try {
    await Deno.link(from, to);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "EXDEV" || error instanceof Deno.errors.NotFound) {
      return false;
    }
    throw error;
  }
}

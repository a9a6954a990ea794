/**
 * Checking a backup's files against its `MANIFEST.sha256`: every file listed is there with its
 * bytes, and nothing else is (a backup is read-only; a file added, removed or changed since it
 * was written is damage, or tampering).
 *
 * @module
 */
import { join } from "node:path";
import { CheckError, MlpError } from "../errors.ts";
import { hashFiles } from "../cas/hash_files.ts";
import { MANIFEST_NAME, type ManifestEntry, parseManifest } from "../cas/manifest.ts";
import { listTree } from "../cas/tree.ts";

/** The result of checking a backup's files. */
export interface BackupFiles {
  /** The manifest's entries. */
  entries: ManifestEntry[];
  /** Total bytes of the files listed. */
  bytes: number;
  /** One line per file missing, changed or not listed; empty when the backup is intact. */
  findings: string[];
}

/**
 * Reads the manifest of the backup `dir` and compares every file with it.
 *
 * @throws {CheckError} when `dir` holds no readable manifest (not a backup, or a backup whose
 *   manifest was edited)
 */
export async function checkBackupFiles(
  dir: string,
  onProgress?: (done: number, total: number) => void,
): Promise<BackupFiles> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, MANIFEST_NAME));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new CheckError(`"${dir}" is not an mlp backup: it has no ${MANIFEST_NAME}`, {
      hint: "name a directory `mlp backup` wrote (mlp-backup-<UTC time>)",
    });
  }
  let entries: ManifestEntry[];
  try {
    entries = parseManifest(text, join(dir, MANIFEST_NAME));
  } catch (error) {
    if (!(error instanceof MlpError)) throw error;
    throw new CheckError(`The backup's manifest is damaged: ${error.message}`, {
      location: error.location,
      hint: "this backup cannot be trusted: use another backup, and take a new one (`mlp backup`)",
    });
  }
  const tree = await listTree(dir);
  const present = new Map(tree.map((entry) => [entry.path, entry]));
  const findings: string[] = [];
  const listed = new Set(entries.map((entry) => entry.path));
  for (const entry of tree) {
    if (entry.path !== MANIFEST_NAME && !listed.has(entry.path)) {
      findings.push(`"${entry.path}" is in the backup but not in its manifest`);
    }
  }
  const toHash: ManifestEntry[] = [];
  for (const entry of entries) {
    const found = present.get(entry.path);
    if (!found) findings.push(`"${entry.path}" is missing`);
    else if (found.kind !== "file") findings.push(`"${entry.path}" is not a regular file`);
    else toHash.push(entry);
  }
  const sizes = toHash.map((entry) => present.get(entry.path)!.size);
  const hashes = await hashFiles(
    toHash.map((entry, i) => ({ path: join(dir, entry.path), size: sizes[i] })),
    { onProgress },
  );
  toHash.forEach((entry, i) => {
    if (hashes[i] !== entry.sha256) {
      findings.push(
        `"${entry.path}" has changed: SHA-256 ${hashes[i]}, the manifest says ${entry.sha256}`,
      );
    }
  });
  return { entries, bytes: sizes.reduce((a, b) => a + b, 0), findings };
}

/**
 * The files of the backup `dir`, for a restore: every one checked against the manifest first.
 *
 * @throws {CheckError} when the backup is damaged, listing each finding: a restore then restores
 *   nothing
 */
export async function intactBackupFiles(dir: string): Promise<BackupFiles> {
  const files = await checkBackupFiles(dir);
  if (files.findings.length > 0) {
    throw new CheckError(`The backup "${dir}" is damaged; nothing was restored`, {
      details: files.findings,
      hint: "restore from another backup (`ls` the backup folder), and take a new one",
    });
  }
  return files;
}

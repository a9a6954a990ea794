/**
 * `mlp backup`: a verified, read-only backup of a project's runs. The store is snapshotted while
 * runs may be writing (`snapshot.ts`), the artifact store and the audit logs are copied with hard
 * links against the previous backup (`copy_tree.ts`), everything is listed in a
 * `MANIFEST.sha256`, and the backup is restored into a scratch directory and compared with its
 * snapshot through MLflow (`restore_check.ts`) before it is made read-only and given its name. A
 * backup that fails on the way is removed: a backup directory with a final name is complete and
 * verified, or does not exist.
 *
 * @module
 */
import { join, relative, resolve } from "node:path";
import { CheckError } from "../errors.ts";
import { hashFile } from "../cas/hash_file.ts";
import {
  formatManifest,
  MANIFEST_NAME,
  type ManifestEntry,
  parseManifest,
} from "../cas/manifest.ts";
import { chmodTree, listTree } from "../cas/tree.ts";
import { projectPaths } from "../project/paths.ts";
import { copyTree, type PreviousBackup } from "./copy_tree.ts";
import { ARTIFACTS_DIR, LOGS_DIR, STORE_FILE } from "./layout.ts";
import { backupName, expiredBackups, latestBackup, STAGING_PREFIX } from "./naming.ts";
import { checkRestore } from "./restore_check.ts";
import { snapshotStore } from "./snapshot.ts";

/** The lock file in the backup folder that keeps two backups from writing there at once. */
const LOCK_FILE = ".mlp-backup.lock";

/** Options of {@linkcode takeBackup}. */
export interface BackupOptions {
  /** The folder that holds the project's backups (created if missing). */
  destination: string;
  /** Keep only the newest `keep` backups there, this one included. */
  keep?: number;
  /** The time the backup is named after (now by default). */
  now?: Date;
  /** Called as bytes are copied, with the running total and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** A backup that was written and verified. */
export interface BackupResult {
  /** Its directory. */
  dir: string;
  runs: number;
  /** Artifact files compared through MLflow. */
  artifacts: number;
  /** Bytes the backup holds, and of those, bytes written anew (not linked). */
  bytes: number;
  newBytes: number;
  /** Runs whose artifacts lie outside the project, which the backup cannot hold. */
  outside: string[];
  /** Older backups removed by `keep`. */
  removed: string[];
}

/**
 * Takes a backup of the project at `root` (its SQLite store, artifacts and audit logs).
 *
 * @throws {CheckError} when the project has no store, the destination lies inside the project,
 *   a file cannot be backed up, or the restore test finds a difference (each one listed); nothing
 *   is left in the destination then
 */
export async function takeBackup(root: string, options: BackupOptions): Promise<BackupResult> {
  const paths = projectPaths(root);
  const destination = resolve(options.destination);
  const inside = relative(root, destination);
  if (inside === "" || (!inside.startsWith("..") && !inside.startsWith("/"))) {
    throw new CheckError(`The backup folder "${destination}" is inside the project`, {
      hint: "a backup must survive the loss of the project folder: name a folder elsewhere " +
        "(--to DIR or MLP_BACKUP_DIR), ideally on another disk",
    });
  }
  try {
    await Deno.stat(paths.mlflowDb);
  } catch {
    throw new CheckError(
      `There is nothing to back up: the project has no store "${paths.mlflowDb}"`,
      {
        hint: "`mlp run` creates it with the first run",
      },
    );
  }
  await Deno.mkdir(destination, { recursive: true });
  // One backup at a time per folder; whatever a killed backup left staged is removed under it.
  using lock = await Deno.open(join(destination, LOCK_FILE), { create: true, write: true });
  await lock.lock(true);
  const names = await Array.fromAsync(Deno.readDir(destination), (entry) => entry.name);
  for (const stale of names.filter((n) => n.startsWith(STAGING_PREFIX))) {
    await removeTree(join(destination, stale));
  }
  const name = backupName(options.now ?? new Date());
  if (names.includes(name)) {
    throw new CheckError(`A backup named "${name}" exists already in "${destination}"`, {
      hint: "backups are named by the second they are taken: wait a second and run it again",
    });
  }
  const previous = await previousBackup(destination, latestBackup(names));
  const staging = join(destination, STAGING_PREFIX + name);
  await Deno.mkdir(staging);
  try {
    const runs = await snapshotStore(paths.mlflowDb, join(staging, STORE_FILE));
    const entries: ManifestEntry[] = [];
    let bytes = 0;
    let newBytes = 0;
    let done = 0;
    const total = await treeBytes(paths.artifacts) + await treeBytes(join(root, LOGS_DIR));
    for (
      const [source, prefix] of [[paths.artifacts, ARTIFACTS_DIR], [join(root, LOGS_DIR), LOGS_DIR]]
    ) {
      const copied = await copyTree(source, staging, prefix, previous, (n) => {
        done += n;
        options.onProgress?.(done, total);
      });
      entries.push(...copied.entries);
      bytes += copied.bytes;
      newBytes += copied.newBytes;
    }
    entries.push({ path: STORE_FILE, sha256: await hashFile(join(staging, STORE_FILE)) });
    const storeSize = (await Deno.stat(join(staging, STORE_FILE))).size;
    bytes += storeSize;
    newBytes += storeSize;
    await Deno.writeTextFile(join(staging, MANIFEST_NAME), formatManifest(entries));

    const checked = await checkRestore(staging, entries, root, staging);
    if (checked.differences.length > 0 || checked.runs !== runs) {
      throw new CheckError(
        `The backup failed its restore test: ${checked.differences.length} difference(s) between ` +
          "the restored store and the snapshot; the backup was removed",
        {
          details: checked.differences.slice(0, 20),
          hint: "run `mlp runs repair` and `mlp backup` again; if it fails again, the store or " +
            "the artifact folder is damaged: keep the older backups",
        },
      );
    }
    await chmodTree(staging, 0o444, 0o555);
    const dir = join(destination, name);
    await Deno.rename(staging, dir);
    const removed: string[] = [];
    if (options.keep !== undefined) {
      for (const old of expiredBackups([...names, name], options.keep)) {
        await removeTree(join(destination, old));
        removed.push(old);
      }
    }
    return {
      dir,
      runs,
      artifacts: checked.artifacts,
      bytes,
      newBytes,
      outside: checked.outside,
      removed,
    };
  } catch (error) {
    await removeTree(staging).catch(() => {});
    throw error;
  }
}

/** Removes a backup (read-only) or a staging copy. */
async function removeTree(dir: string): Promise<void> {
  await chmodTree(dir, 0o644, 0o755);
  await Deno.remove(dir, { recursive: true });
}

/** The newest complete backup, with its manifest, to link unchanged files against. */
async function previousBackup(
  destination: string,
  name: string | undefined,
): Promise<PreviousBackup | undefined> {
  if (!name) return undefined;
  const dir = join(destination, name);
  try {
    const file = join(dir, MANIFEST_NAME);
    const entries = parseManifest(await Deno.readTextFile(file), file);
    return { dir, hashes: new Map(entries.map((entry) => [entry.path, entry.sha256])) };
  } catch {
    // An unreadable previous backup only costs the links: every file is copied anew.
    return undefined;
  }
}

async function treeBytes(dir: string): Promise<number> {
  try {
    return (await listTree(dir)).reduce((sum, entry) => sum + entry.size, 0);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}

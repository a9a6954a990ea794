/**
 * `mlp backup`: a verified, read-only backup of a project's runs. The store is snapshotted while
 * runs may be writing (`snapshot.ts`), the artifact store and the audit logs are copied with hard
 * links against the previous backup (`copy_tree.ts`), everything is listed in a
 * `MANIFEST.sha256`, and the backup is restored into a scratch directory and compared with its
 * snapshot through MLflow (`restore_check.ts`) before it is made read-only and given its name. A
 * backup that fails on the way is removed: a backup directory with a final name is complete and
 * verified, or does not exist.
 *
 * With a tracking server on PostgreSQL (`server`), the store is a `pg_dump --format=custom` of its
 * database instead, the artifact store is the server's artifact root, and the restore test
 * restores the dump into a scratch database.
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
import {
  ARTIFACTS_DIR,
  LOGS_DIR,
  PG_DUMP_FILE,
  SERVER_ARTIFACTS_DIR,
  STORE_FILE,
} from "./layout.ts";
import { backupName, expiredBackups, latestBackup, STAGING_PREFIX } from "./naming.ts";
import { checkPgVersions, dumpDatabase } from "./pg.ts";
import { checkRestore, type ServerCheck } from "./restore_check.ts";
import { snapshotStore } from "./snapshot.ts";

/** The variable naming the tracking server's artifact root (its `--artifacts-destination`). */
export const ARTIFACT_ROOT_VARIABLE = "MLP_BACKUP_ARTIFACT_ROOT";

/** A tracking server on PostgreSQL, whose database and artifact root are backed up. */
export interface ServerSource extends ServerCheck {
  /** The folder that holds the server's artifacts. */
  artifactRoot: string;
}

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
  /** Back up this tracking server instead of the project's SQLite store. */
  server?: ServerSource;
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
 * Takes a backup of the project at `root` (its SQLite store, artifacts and audit logs; or the
 * tracking server's database, its artifact root and the project's audit logs).
 *
 * @throws {CheckError} when the project has no store (the server no artifact root, or a
 *   PostgreSQL the machine's pg_dump cannot dump), the destination lies inside the project,
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
        "(--to DIR, MLP_BACKUP_DIR or backup.dir in configs/project_standards.yaml), ideally " +
        "on another disk",
    });
  }
  const server = options.server;
  if (server) {
    await requireFolder(server.artifactRoot);
    await checkPgVersions(server.database);
  } else {
    try {
      await Deno.stat(paths.mlflowDb);
    } catch {
      throw new CheckError(
        `There is nothing to back up: the project has no store "${paths.mlflowDb}"`,
        { hint: "`mlp run` creates it with the first run" },
      );
    }
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
    const storeFile = server ? PG_DUMP_FILE : STORE_FILE;
    let runs: number | undefined;
    if (server) await dumpDatabase(server.database, join(staging, storeFile));
    else runs = await snapshotStore(paths.mlflowDb, join(staging, storeFile));
    const entries: ManifestEntry[] = [];
    let bytes = 0;
    let newBytes = 0;
    let done = 0;
    const trees = [
      server ? [server.artifactRoot, SERVER_ARTIFACTS_DIR] : [paths.artifacts, ARTIFACTS_DIR],
      [join(root, LOGS_DIR), LOGS_DIR],
    ];
    let total = 0;
    for (const [source] of trees) total += await treeBytes(source);
    for (const [source, prefix] of trees) {
      const copied = await copyTree(source, staging, prefix, previous, (n) => {
        done += n;
        options.onProgress?.(done, total);
      });
      entries.push(...copied.entries);
      bytes += copied.bytes;
      newBytes += copied.newBytes;
    }
    entries.push({ path: storeFile, sha256: await hashFile(join(staging, storeFile)) });
    const storeSize = (await Deno.stat(join(staging, storeFile))).size;
    bytes += storeSize;
    newBytes += storeSize;
    await Deno.writeTextFile(join(staging, MANIFEST_NAME), formatManifest(entries));

    const checked = await checkRestore(staging, entries, root, staging, server);
    // The dump's runs are counted by the restore test, from the dump's own data.
    runs ??= checked.runs;
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

/** Refuses a tracking server's artifact root that is not a folder (a typo would back up nothing). */
async function requireFolder(dir: string): Promise<void> {
  const stat = await Deno.stat(dir).catch(() => undefined);
  if (stat?.isDirectory) return;
  throw new CheckError(
    `${ARTIFACT_ROOT_VARIABLE} "${dir}" is not a folder: the tracking server's artifacts cannot be backed up`,
    {
      hint: "name the folder the server keeps its artifacts in (its --artifacts-destination); " +
        "nothing was written",
    },
  );
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

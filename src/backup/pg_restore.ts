/**
 * Restoring the backup of a tracking server on PostgreSQL: the dump into a database, the artifact
 * root into a folder. As for a project's store, a database that holds runs is replaced only when
 * asked (`force`), and what is replaced is moved aside, never deleted: the database is renamed
 * `<name>_replaced_<time>`, the artifact folder `<folder>.replaced-<time>`.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { CheckError } from "../errors.ts";
import { exists } from "../project/exists.ts";
import { intactBackupFiles } from "./files_check.ts";
import { PG_DUMP_FILE, SERVER_ARTIFACTS_DIR } from "./layout.ts";
import type { PgDatabase } from "./pg_url.ts";
import { countPgRuns, createDatabase, databaseExists, renameDatabase, restoreDump } from "./pg.ts";
import { copyOut } from "./restore.ts";

/** What restoring a tracking server's backup did. */
export interface ServerRestoreResult {
  /** Files restored (the dump and the artifacts). */
  files: number;
  /** Runs in the restored database. */
  runs: number;
  /** The database and the folder the restore moved aside, when it replaced any. */
  replaced: string[];
}

/**
 * Restores the backup `dir` into `database` and `artifactRoot`: checks every file first, refuses
 * to replace a database that holds runs unless `force`, then restores the dump (into a new
 * database when the old one is moved aside or there is none) and puts the artifacts in place.
 *
 * @throws {CheckError} when the backup is damaged, the database holds runs and `force` is not set,
 *   or a PostgreSQL tool fails (a renamed database is then left under its new name, named in the
 *   message's details)
 */
export async function restoreServerBackup(
  dir: string,
  database: PgDatabase,
  artifactRoot: string,
  options: { force?: boolean; now?: Date } = {},
): Promise<ServerRestoreResult> {
  const files = await intactBackupFiles(dir);
  const present = await databaseExists(database, database.name);
  const existing = present ? await countPgRuns(database) : 0;
  if (existing > 0 && !options.force) {
    throw new CheckError(
      `The database "${database.name}" holds ${existing} run${
        existing === 1 ? "" : "s"
      }; restoring would replace them`,
      {
        hint: "restore into another database (--database URL), or pass --force to replace them " +
          "(the database is renamed <name>_replaced_<time> and the artifact folder " +
          "<folder>.replaced-<time>, not deleted)",
      },
    );
  }
  const stamp = (options.now ?? new Date()).toISOString().replace(/[-:]|\.\d+/g, "").toLowerCase();
  const artifacts = files.entries.filter((e) => e.path.startsWith(`${SERVER_ARTIFACTS_DIR}/`));
  // Next to the artifact root, so that putting it in place is a rename on one file system.
  await Deno.mkdir(dirname(artifactRoot), { recursive: true });
  const staging = await Deno.makeTempDir({
    dir: dirname(artifactRoot),
    prefix: `.${basename(artifactRoot)}.restore-`,
  });
  try {
    await copyOut(dir, artifacts, staging);
    const replaced: string[] = [];
    if (existing > 0) {
      const aside = `${database.name}_replaced_${stamp}`;
      await renameDatabase(database, database.name, aside);
      replaced.push(`database ${aside}`);
    }
    const target = present && existing === 0
      ? database
      : await createDatabase(database, database.name);
    await restoreDump(target, join(dir, PG_DUMP_FILE));
    if (await exists(artifactRoot)) {
      const aside = `${artifactRoot}.replaced-${stamp}`;
      await Deno.rename(artifactRoot, aside);
      replaced.push(aside);
    }
    const restored = join(staging, SERVER_ARTIFACTS_DIR);
    if (await exists(restored)) await Deno.rename(restored, artifactRoot);
    else await Deno.mkdir(artifactRoot);
    return { files: artifacts.length + 1, runs: await countPgRuns(target), replaced };
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
}

/**
 * Restoring a backup: its files copied out (never linked: the restored store is written to,
 * the backup must stay as it was) into a scratch directory for the restore test, or into a
 * project, where whatever the restore replaces is moved aside, not deleted.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { dirname, join } from "node:path";
import { CheckError } from "../errors.ts";
import type { ManifestEntry } from "../cas/manifest.ts";
import { exists } from "../project/exists.ts";
import { projectPaths } from "../project/paths.ts";
import { intactBackupFiles } from "./files_check.ts";
import { BACKUP_PARTS } from "./layout.ts";

/** What restoring into a project did. */
export interface RestoreResult {
  /** Files restored. */
  files: number;
  /** Runs in the restored store. */
  runs: number;
  /** Where the replaced store, artifacts and logs were moved, when there were any. */
  replacedTo?: string;
}

/** Copies every file of the manifest from the backup `dir` to `target`, writable. */
export async function copyOut(
  dir: string,
  entries: readonly ManifestEntry[],
  target: string,
): Promise<void> {
  for (const entry of entries) {
    const to = join(target, entry.path);
    await Deno.mkdir(dirname(to), { recursive: true });
    await Deno.copyFile(join(dir, entry.path), to);
    await Deno.chmod(to, 0o644);
  }
}

/** The number of runs in the SQLite store `path`; 0 when there is no file. */
export function countRuns(path: string): number {
  try {
    Deno.statSync(path);
  } catch {
    return 0;
  }
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const row = db.prepare("SELECT count(*) AS n FROM runs").get() as { n: number | bigint };
    return Number(row.n);
  } catch {
    // A file that is no MLflow store holds no runs to lose; it is moved aside like the rest.
    return 0;
  } finally {
    db.close();
  }
}

/**
 * Restores the backup `dir` into the project at `root`: checks every file of the backup first,
 * refuses to replace a store that holds runs unless `force`, then puts the store, the artifacts
 * and the audit logs in place, moving what they replace to `.mlp/replaced-<time>/`.
 *
 * @throws {CheckError} when the backup is damaged (each finding is listed) or the project's store
 *   holds runs and `force` is not set
 */
export async function restoreBackup(
  dir: string,
  root: string,
  options: { force?: boolean; now?: Date } = {},
): Promise<RestoreResult> {
  const files = await intactBackupFiles(dir);
  const paths = projectPaths(root);
  const existing = countRuns(paths.mlflowDb);
  if (existing > 0 && !options.force) {
    throw new CheckError(
      `The project's store "${paths.mlflowDb}" holds ${existing} run${
        existing === 1 ? "" : "s"
      }; restoring would replace them`,
      {
        hint: "restore into another folder (`--to DIR`), or pass --force to replace them (the " +
          "current store, artifacts and logs are moved to .mlp/replaced-<time>/, not deleted)",
      },
    );
  }
  await Deno.mkdir(paths.state, { recursive: true });
  const staging = await Deno.makeTempDir({ dir: paths.state, prefix: "restore-" });
  try {
    await copyOut(dir, files.entries, staging);
    const stamp = (options.now ?? new Date()).toISOString().replaceAll(":", "");
    const aside = join(paths.state, `replaced-${stamp}`);
    let moved = false;
    for (const part of BACKUP_PARTS) {
      const current = join(root, part);
      if (!(await exists(current))) continue;
      await Deno.mkdir(aside, { recursive: true });
      await Deno.rename(current, join(aside, part));
      moved = true;
    }
    for (const part of BACKUP_PARTS) {
      if (await exists(join(staging, part))) {
        await Deno.rename(join(staging, part), join(root, part));
      }
    }
    return {
      files: files.entries.length,
      runs: countRuns(paths.mlflowDb),
      ...(moved ? { replacedTo: aside } : {}),
    };
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
}

/**
 * `mlp backup verify DIR`: an old backup checked again, as it was checked when it was taken:
 * every file against the manifest, then the restore test through MLflow.
 *
 * @module
 */
import { CheckError } from "../errors.ts";
import { checkBackupFiles } from "./files_check.ts";
import { PG_DUMP_FILE } from "./layout.ts";
import { DATABASE_URL_VARIABLE } from "./pg_url.ts";
import { checkRestore, SERVER_PYTHON_VARIABLE, type ServerCheck } from "./restore_check.ts";

/** What verifying a backup found. */
export interface BackupVerification {
  runs: number;
  artifacts: number;
  bytes: number;
  /** Damaged files first, then differences of the restored store; empty when it verifies. */
  findings: string[];
  /** Runs whose artifacts lie outside the project (not in any project backup). */
  outside: string[];
}

/** Whether the backup whose manifest lists `paths` is of a tracking server on PostgreSQL. */
export function isServerBackup(paths: readonly string[]): boolean {
  return paths.includes(PG_DUMP_FILE);
}

/**
 * Verifies the backup `dir`, using the locked environment of the project at `root` for MLflow
 * (for the backup of a tracking server: what `server` returns, the server where the scratch
 * database is created; asked only for such a backup).
 * A backup with damaged files is not restore-tested (the test would only repeat the damage).
 *
 * @param onProgress Called as the files are hashed, with the bytes done and the total.
 * @throws {CheckError} when `dir` is not a backup, the restore test cannot run, or `dir` is the
 *   backup of a tracking server and `server` is not given
 */
export async function verifyBackup(
  dir: string,
  root: string,
  server: () => ServerCheck | undefined = () => undefined,
  onProgress?: (done: number, total: number) => void,
): Promise<BackupVerification> {
  const files = await checkBackupFiles(dir, onProgress);
  if (files.findings.length > 0) {
    return { runs: 0, artifacts: 0, bytes: files.bytes, findings: files.findings, outside: [] };
  }
  const serverBackup = isServerBackup(files.entries.map((entry) => entry.path));
  const check = serverBackup ? server() : undefined;
  if (serverBackup && !check) {
    throw new CheckError(
      `"${dir}" is the backup of a tracking server on PostgreSQL: its restore test needs a server`,
      {
        hint: `set ${DATABASE_URL_VARIABLE} (a scratch database is created on that server and ` +
          `dropped) and ${SERVER_PYTHON_VARIABLE} (the python of the server's environment)`,
      },
    );
  }
  const checked = await checkRestore(
    dir,
    files.entries,
    root,
    undefined,
    check,
  );
  return {
    runs: checked.runs,
    artifacts: checked.artifacts,
    bytes: files.bytes,
    findings: checked.differences,
    outside: checked.outside,
  };
}

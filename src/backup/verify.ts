/**
 * `mlp backup verify DIR`: an old backup checked again, as it was checked when it was taken:
 * every file against the manifest, then the restore test through MLflow.
 *
 * @module
 */
import { checkBackupFiles } from "./files_check.ts";
import { checkRestore } from "./restore_check.ts";

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

/**
 * Verifies the backup `dir`, using the locked environment of the project at `root` for MLflow.
 * A backup with damaged files is not restore-tested (the test would only repeat the damage).
 *
 * @throws {CheckError} when `dir` is not a backup or the restore test cannot run
 */
export async function verifyBackup(dir: string, root: string): Promise<BackupVerification> {
  const files = await checkBackupFiles(dir);
  if (files.findings.length > 0) {
    return { runs: 0, artifacts: 0, bytes: files.bytes, findings: files.findings, outside: [] };
  }
  const checked = await checkRestore(dir, files.entries, root);
  return {
    runs: checked.runs,
    artifacts: checked.artifacts,
    bytes: files.bytes,
    findings: checked.differences,
    outside: checked.outside,
  };
}

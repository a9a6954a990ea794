/**
 * The names of backups in a backup directory, and which of them `--keep` removes. Pure.
 *
 * A backup is `<dir>/mlp-backup-<UTC timestamp>/`, e.g. `mlp-backup-20261203T130501Z`: the name
 * sorts as the time, so the newest is the last in bytewise order, and a backup being written is
 * `.staging-mlp-backup-…` (never taken for a backup by `latestBackup` or `--keep`).
 *
 * @module
 */

const PREFIX = "mlp-backup-";
const NAME = /^mlp-backup-(\d{8}T\d{6}Z)$/;

/** The prefix of a backup being written, before it is complete and renamed into place. */
export const STAGING_PREFIX = ".staging-";

/**
 * The name of a backup taken at `now`, to the second.
 *
 * @example Usage
 * ```ts
 * import { backupName } from "./naming.ts";
 * backupName(new Date("2026-12-03T13:05:01.250Z")); // => "mlp-backup-20261203T130501Z"
 * ```
 */
export function backupName(now: Date): string {
  const iso = now.toISOString(); // 2026-12-03T13:05:01.250Z
  return `${PREFIX}${iso.slice(0, 19).replaceAll("-", "").replaceAll(":", "")}Z`;
}

/** Whether `name` is a complete backup's directory name. */
export function isBackupName(name: string): boolean {
  return NAME.test(name);
}

/** The newest of the backup names among `names` (other entries are ignored), or `undefined`. */
export function latestBackup(names: readonly string[]): string | undefined {
  return names.filter(isBackupName).sort().at(-1);
}

/**
 * The backups `--keep N` removes: all but the newest `keep` of the backup names among `names`,
 * oldest first.
 *
 * @throws {RangeError} when `keep` is not a positive integer (the caller validates user input)
 */
export function expiredBackups(names: readonly string[], keep: number): string[] {
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be >= 1, got ${keep}`);
  const backups = names.filter(isBackupName).sort();
  return backups.slice(0, Math.max(0, backups.length - keep));
}

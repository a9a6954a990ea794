/**
 * Whether `mlp run` warns that the project's last verified backup is old. Pure: the caller reads
 * the time of the last verified backup and the day of the last warning from `.mlp/` (`state.ts`).
 *
 * @module
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the decision needs. */
export interface FreshnessInput {
  /** When the last verified backup was taken; `undefined` when there is none. */
  lastVerifiedAt?: Date;
  /** The UTC day (`YYYY-MM-DD`) of the last warning; `undefined` when mlp never warned. */
  lastWarnedDay?: string;
  /** Past this many days, a backup is old (`backup.max_age_days` of the standards). */
  maxAgeDays: number;
  now: Date;
}

/** The UTC day of `date`, `YYYY-MM-DD`: the unit of "once a day". */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The warning to print, or `undefined`: none when the last verified backup is at most
 * `maxAgeDays` old, or when a warning was printed already today (UTC).
 *
 * @example Usage
 * ```ts
 * import { backupWarning } from "./freshness.ts";
 * backupWarning({
 *   lastVerifiedAt: new Date("2026-11-27T18:00:00Z"),
 *   maxAgeDays: 7,
 *   now: new Date("2026-12-07T09:00:00Z"),
 * });
 * // => "mlp: warning: the last verified backup is 9 days old (2026-11-27): take one with `mlp backup`"
 * ```
 */
export function backupWarning(input: FreshnessInput): string | undefined {
  if (input.lastWarnedDay === utcDay(input.now)) return undefined;
  if (!input.lastVerifiedAt) {
    return "mlp: warning: this project has no verified backup: take one with `mlp backup` " +
      "(--to DIR, MLP_BACKUP_DIR or backup.dir in configs/project_standards.yaml)";
  }
  const age = input.now.getTime() - input.lastVerifiedAt.getTime();
  if (age <= input.maxAgeDays * DAY_MS) return undefined;
  const days = Math.floor(age / DAY_MS);
  return `mlp: warning: the last verified backup is ${days} days old (${
    utcDay(input.lastVerifiedAt)
  }): take one with \`mlp backup\``;
}

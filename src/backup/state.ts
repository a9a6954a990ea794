/**
 * What `mlp run` needs to know about backups, kept in the project's `.mlp/` (local state, never
 * committed): when the last verified backup was taken and where it is, and the day `mlp run` last
 * warned that it was old. Written by `mlp backup` once a backup has passed its restore test.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { projectPaths, STANDARDS_PATH } from "../project/paths.ts";
import { loadStandards } from "../config/standards.ts";
import { backupWarning, utcDay } from "./freshness.ts";

/** `.mlp/backup/`: the folder of these records. */
const STATE_DIR = "backup";
/** The last verified backup, as {@linkcode LastVerified} JSON. */
const LAST_VERIFIED = "last_verified.json";
/** The UTC day of the last warning, `YYYY-MM-DD`. */
const WARNED_ON = "warned_on";

/** The last backup that passed its restore test. */
export interface LastVerified {
  /** When it was taken, ISO 8601 UTC. */
  taken_at: string;
  /** Its directory (local state: the record stays in `.mlp/`). */
  dir: string;
}

const lastVerifiedSchema = z.strictObject({ taken_at: z.iso.datetime(), dir: z.string() });

function statePath(root: string, name: string): string {
  return join(projectPaths(root).state, STATE_DIR, name);
}

/** Writes `text` to `path` through a temporary file, so that a reader never sees half of it. */
async function writeAtomic(path: string, text: string): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}

/** Records `backup` as the project's last verified backup. */
export async function recordVerifiedBackup(root: string, backup: LastVerified): Promise<void> {
  await writeAtomic(statePath(root, LAST_VERIFIED), `${JSON.stringify(backup)}\n`);
}

/** The project's last verified backup; `undefined` when none is recorded (or the record is unreadable). */
export async function readLastVerified(root: string): Promise<LastVerified | undefined> {
  try {
    const parsed = lastVerifiedSchema.safeParse(
      JSON.parse(await Deno.readTextFile(statePath(root, LAST_VERIFIED))),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    // A damaged record counts as no backup: the warning then asks for one, which rewrites it.
    return undefined;
  }
}

/**
 * Prints, at most once a UTC day, a warning when the project's last verified backup is older than
 * `backup.max_age_days` of the standards (or there is none). Never throws: a backup reminder must
 * not fail or delay a run, so whatever goes wrong here (unreadable standards, a read-only `.mlp/`)
 * only skips it.
 */
export async function warnIfBackupOld(
  root: string,
  log: (line: string) => void,
  now: Date = new Date(),
): Promise<void> {
  try {
    const standards = await loadStandards(projectPaths(root).standards, STANDARDS_PATH);
    const last = await readLastVerified(root);
    const warnedOn = statePath(root, WARNED_ON);
    const lastWarnedDay = await Deno.readTextFile(warnedOn).then((t) => t.trim(), () => undefined);
    const warning = backupWarning({
      lastVerifiedAt: last ? new Date(last.taken_at) : undefined,
      lastWarnedDay,
      maxAgeDays: standards.backup.max_age_days,
      now,
    });
    if (warning === undefined) return;
    await writeAtomic(warnedOn, `${utcDay(now)}\n`);
    log(warning);
  } catch {
    // See above: the run goes on without the reminder.
  }
}

/**
 * Who owns a RUNNING run, and whether that process still lives.
 *
 * The supervisor holds an exclusive lock on `.mlp/runs/<dir>/supervisor.lock` for as long as it
 * lives and records that path (relative to the project root) on the run it creates, in the tag
 * `mlp.owner.lock` (src/python/mlp_platform/owner.py). The kernel releases the lock when the
 * process dies, however it dies, so trying the lock tells a run in progress from an abandoned one:
 * no PID to be reused, no clock, and no /proc (which Deno does not let mlp read). mlp holds
 * `mlp.lock` in the same directory the same way, so a run directory whose mlp was killed is known.
 *
 * @module
 */
import { join } from "node:path";

/** The tags that record a run's owner. */
export const OWNER_TAGS = {
  lock: "mlp.owner.lock",
  host: "mlp.owner.host",
  pid: "mlp.owner.pid",
} as const;

/** A lock file's state: held by a live process, free (its holder died), or not there. */
export type LockState = "held" | "free" | "missing";

/** Whether an owner is alive, gone, or cannot be judged from here. */
export type Liveness =
  | { state: "alive" }
  | { state: "gone"; why: string }
  | { state: "unknown"; why: string };

/** Where the store that holds a run lives, for judging a lock that is not there. */
export type StoreScope = "project" | "server";

/**
 * Tries the lock at `path` without waiting (and releases it at once when it was free).
 */
export async function lockState(path: string): Promise<LockState> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return "missing";
    }
    throw error;
  }
  try {
    return (await file.tryLock(true)) ? "free" : "held";
  } finally {
    file.close();
  }
}

/**
 * Judges a run's owner from its lock. Pure.
 *
 * - held: alive;
 * - free: gone (the process that held it has exited);
 * - missing, in the project's own store: gone (the run directory is not there: the project was
 *   restored or cloned without it, or it was deleted, and no process can hold the lock);
 * - missing, in a tracking server: unknown (the run may be another machine's).
 */
export function ownerLiveness(
  lock: string,
  state: LockState,
  scope: StoreScope,
  pid?: string,
): Liveness {
  const who = pid ? `its supervisor (process ${pid})` : "its supervisor";
  if (state === "held") return { state: "alive" };
  if (state === "free") {
    return {
      state: "gone",
      why: `no process holds its lock ${lock} (${who} has exited, or this project is a copy)`,
    };
  }
  if (scope === "project") {
    return { state: "gone", why: `${who} left no lock in this project (${lock} is missing)` };
  }
  return {
    state: "unknown",
    why: `its lock ${lock} is not in this project (another machine's run?)`,
  };
}

/** The owner lock named by a run's tags, absolute, or `null` when the run records none. */
export function ownerLock(root: string, tags: Record<string, string>): string | null {
  const lock = tags[OWNER_TAGS.lock];
  if (!lock || lock.startsWith("/") || lock.split("/").includes("..")) return null;
  return join(root, lock);
}

/** Judges the owner of a run from its tags. */
export async function runOwnerLiveness(
  root: string,
  tags: Record<string, string>,
  scope: StoreScope,
): Promise<Liveness | null> {
  const lock = ownerLock(root, tags);
  if (!lock) return null;
  return ownerLiveness(tags[OWNER_TAGS.lock], await lockState(lock), scope, tags[OWNER_TAGS.pid]);
}

/**
 * `.mlp/runs/<dir>/`: the working directory of one `mlp run` (its plan and the trainer's scratch
 * directory), and what is kept of it afterwards.
 *
 * A run that FINISHED, or that never reached MLflow, leaves nothing. A FAILED or KILLED run keeps
 * what its diagnosis needs (the plan, the trainer's traceback, the run ID) and loses its scratch
 * (model files, predictions, temporary files); at most {@linkcode KEEP_DIAGNOSTICS} such
 * directories are kept. A directory whose mlp was killed before it could tidy up is tidied by the
 * next mlp command that reconciles the store: mlp holds `mlp.lock` and the supervisor
 * `supervisor.lock` in the directory while they live (see `owner.ts`).
 *
 * @module
 */
import { join } from "node:path";
import { lockState } from "./owner.ts";

/** Where run directories live, relative to the project root. */
export const RUNS_DIR = ".mlp/runs";
/** How many FAILED or KILLED run directories are kept for diagnosis. */
export const KEEP_DIAGNOSTICS = 10;

const STAGING_PREFIX = ".new-";
const MLP_LOCK = "mlp.lock";
const SUPERVISOR_LOCK = "supervisor.lock";
const RUN_FILE = "run.json";
const CLOSED_FILE = "closed";
const KEPT = ["plan.json", RUN_FILE, "error.txt", CLOSED_FILE];

/** One run directory: its paths, and the lock this mlp holds on it until it is closed. */
export interface RunDir {
  path: string;
  /** Relative to the project root. */
  relative: string;
  lock: Deno.FsFile;
}

/** How a run directory ends: the run's final status, or `none` when no run was recorded. */
export type RunDirEnd = "FINISHED" | "FAILED" | "KILLED" | "none";

/**
 * Creates a new run directory owned by this process (which holds its `mlp.lock` until
 * {@linkcode closeRunDir}). It appears under its final name only once locked, so another mlp never
 * takes a directory being created for abandoned.
 */
export async function createRunDir(root: string): Promise<RunDir> {
  const runs = join(root, RUNS_DIR);
  await Deno.mkdir(runs, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
  const staging = await Deno.makeTempDir({ dir: runs, prefix: `${STAGING_PREFIX}${stamp}-` });
  const lock = await Deno.open(join(staging, MLP_LOCK), { write: true, create: true });
  await lock.lock(true);
  const name = staging.slice(runs.length + 1 + STAGING_PREFIX.length);
  await Deno.rename(staging, join(runs, name));
  return { path: join(runs, name), relative: `${RUNS_DIR}/${name}`, lock };
}

/** Notes the MLflow run the directory belongs to, once it exists. */
export async function recordRunId(dir: RunDir, runId: string): Promise<void> {
  await Deno.writeTextFile(join(dir.path, RUN_FILE), JSON.stringify({ run_id: runId }) + "\n");
}

/**
 * Ends a run directory: removed when the run FINISHED or was never recorded; otherwise pruned to
 * what a diagnosis needs, and the oldest such directories beyond {@linkcode KEEP_DIAGNOSTICS}
 * removed. Releases this mlp's lock on it.
 */
export async function closeRunDir(root: string, dir: RunDir, end: RunDirEnd): Promise<void> {
  await tidyRunDir(root, dir.path, end);
  dir.lock.close();
}

async function tidyRunDir(root: string, path: string, end: RunDirEnd): Promise<void> {
  if (end === "FINISHED" || end === "none") {
    await Deno.remove(path, { recursive: true }).catch(ignoreMissing);
    return;
  }
  const traceback = join(path, "scratch", "out", "error.txt");
  await Deno.rename(traceback, join(path, "error.txt")).catch(ignoreMissing);
  for await (const entry of Deno.readDir(path)) {
    if (!KEPT.includes(entry.name)) await Deno.remove(join(path, entry.name), { recursive: true });
  }
  await Deno.writeTextFile(join(path, CLOSED_FILE), `${end}\n`);
  await boundDiagnostics(root);
}

/**
 * Tidies the run directories that neither a live mlp nor a live supervisor holds and that were
 * never closed: kept for diagnosis when the run had been created, removed otherwise. Returns
 * their relative paths.
 */
export async function closeAbandonedRunDirs(root: string): Promise<string[]> {
  const closed: string[] = [];
  for (const name of await listDirs(join(root, RUNS_DIR))) {
    const path = join(root, RUNS_DIR, name);
    if (name.startsWith(STAGING_PREFIX)) {
      // Killed between creating the directory and naming it; one whose lock is not there yet
      // is being created right now.
      if (await lockState(join(path, MLP_LOCK)) === "free") {
        await Deno.remove(path, { recursive: true }).catch(ignoreMissing);
      }
      continue;
    }
    if (await isClosed(path)) continue;
    const locks = await Promise.all(
      [MLP_LOCK, SUPERVISOR_LOCK].map((lock) => lockState(join(path, lock))),
    );
    if (locks.includes("held")) continue;
    const run = await readJson<{ run_id: string }>(join(path, RUN_FILE));
    await tidyRunDir(root, path, run ? "KILLED" : "none");
    closed.push(`${RUNS_DIR}/${name}`);
  }
  return closed;
}

async function boundDiagnostics(root: string): Promise<void> {
  const runs = join(root, RUNS_DIR);
  const kept: string[] = [];
  for (const name of await listDirs(runs)) {
    if (await isClosed(join(runs, name))) kept.push(name);
  }
  // Names start with the creation time, so the sort is oldest first.
  for (const name of kept.sort().slice(0, Math.max(0, kept.length - KEEP_DIAGNOSTICS))) {
    await Deno.remove(join(runs, name), { recursive: true }).catch(ignoreMissing);
  }
}

async function listDirs(path: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(path)) if (entry.isDirectory) names.push(entry.name);
  } catch (error) {
    ignoreMissing(error);
  }
  return names;
}

async function isClosed(path: string): Promise<boolean> {
  try {
    await Deno.stat(join(path, CLOSED_FILE));
    return true;
  } catch (error) {
    ignoreMissing(error);
    return false;
  }
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    ignoreMissing(error);
    return null;
  }
}

function ignoreMissing(error: unknown): void {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
}

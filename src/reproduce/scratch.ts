/**
 * The scratch checkout a reproduction runs in: a temporary git worktree of the project at the
 * run's commit, under `.mlp/reproduce/` (ignored by git, on the project's file system), with its
 * own environment synced from that commit's uv.lock. Everything here is removed by
 * {@linkcode removeScratch}, whichever way the reproduction ends; a scratch whose mlp was killed
 * (SIGKILL, a closed terminal, a crash: no cleanup ran) is found by its free lock and removed by
 * the next reproduction ({@linkcode removeAbandonedScratches}), so no worktree with its
 * gigabyte of environment is left behind for good.
 *
 * @module
 */
import { join, relative } from "node:path";
import { CheckError } from "../errors.ts";
import { gitOutput } from "../fingerprint/git.ts";
import { projectPaths } from "../project/paths.ts";
import type { RunInterrupts } from "../run/interrupts.ts";
import { lockState } from "../runs/owner.ts";

/** The lock the reproducing mlp holds in its scratch directory while it lives. */
const OWNER_LOCK = "mlp.lock";

/**
 * A scratch directory without its lock is abandoned only once it is this old: the lock is taken
 * just after the directory is made, and a directory that young may be in between.
 */
const UNLOCKED_GRACE_MS = 60_000;

/** A scratch checkout: the directory that holds it, and the worktree itself. */
export interface Scratch {
  /** `.mlp/reproduce/<run>-<random>`, removed with everything in it. */
  dir: string;
  /** The worktree at the run's commit (detached). */
  worktree: string;
  /** The environment synced from the worktree's uv.lock (`<worktree>/.venv`). */
  environment: string;
  /** The lock this mlp holds on `dir` until {@linkcode removeScratch}. */
  lock: Deno.FsFile | null;
}

/**
 * Adds a detached worktree of `root`'s repository at `commit`. On an interrupt, git is stopped
 * and what it made is removed before the error is thrown.
 *
 * @throws {CheckError} when git cannot check the commit out (it is not in this clone)
 * @throws {InterruptedError} when a signal arrives
 */
export async function createScratch(
  root: string,
  runId: string,
  commit: string,
  interrupts: RunInterrupts,
): Promise<Scratch> {
  const parent = join(projectPaths(root).state, "reproduce");
  await Deno.mkdir(parent, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: parent, prefix: `${runId.slice(0, 12)}-` });
  const lock = await Deno.open(join(dir, OWNER_LOCK), { write: true, create: true });
  await lock.lock(true);
  const scratch: Scratch = {
    dir,
    worktree: join(dir, "tree"),
    environment: join(dir, "tree", ".venv"),
    lock,
  };
  try {
    const added = await runChild(
      "git",
      ["-C", root, "worktree", "add", "--quiet", "--detach", scratch.worktree, commit],
      {},
      interrupts,
    );
    if (!added.success) {
      throw new CheckError(`Cannot check out the run's commit ${commit}: git refused`, {
        details: lastLines(added.stderr),
        hint: "fetch the commit into this clone (`git fetch`), then reproduce again",
      });
    }
  } catch (error) {
    await removeScratch(root, scratch);
    throw error;
  }
  return scratch;
}

/**
 * `uv sync --locked` of the worktree into its own environment: the exact packages of the run's
 * uv.lock, whatever the project's own environment holds now.
 *
 * @throws {CheckError} when uv cannot install the lock (its last lines are the details)
 * @throws {InterruptedError} when a signal arrives (uv is stopped first)
 */
export async function syncEnvironment(scratch: Scratch, interrupts: RunInterrupts): Promise<void> {
  const synced = await runChild(
    "uv",
    ["sync", "--quiet", "--locked", "--project", scratch.worktree],
    { UV_PROJECT_ENVIRONMENT: scratch.environment },
    interrupts,
  );
  if (!synced.success) {
    throw new CheckError("Cannot install the run's uv.lock: `uv sync --locked` failed", {
      details: lastLines(synced.stderr),
      hint: "the lock's packages must be installable here (an index or a cache that has them); " +
        "nothing was recorded",
    });
  }
}

/**
 * Moves the artifacts the reproduction's supervisor wrote under the worktree into the project's
 * `mlartifacts/`, where every reader of the store looks for them: a SQLite store's experiments
 * keep them in `mlartifacts/` (`<run ID>/`, and MLflow's logged models in `models/<model ID>/`),
 * relative to where the supervisor runs, and only the reproduction ran in the worktree. A store
 * that keeps artifacts elsewhere (a tracking server) leaves nothing to move.
 */
export async function keepArtifacts(root: string, scratch: Scratch): Promise<void> {
  await moveInto(join(scratch.worktree, "mlartifacts"), join(root, "mlartifacts"));
}

/** Moves every entry of `from` into `to`, into the directories `to` already has. */
async function moveInto(from: string, to: string): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(from));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  await Deno.mkdir(to, { recursive: true });
  for (const entry of entries) {
    const target = join(to, entry.name);
    const existing = await Deno.lstat(target).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    });
    if (existing?.isDirectory && entry.isDirectory) await moveInto(join(from, entry.name), target);
    else await Deno.rename(join(from, entry.name), target);
  }
}

/**
 * Removes the worktree (and git's record of it) and the scratch directory. Safe to call on a
 * scratch that git never finished making.
 */
export async function removeScratch(root: string, scratch: Scratch): Promise<void> {
  await gitOutput(root, ["worktree", "remove", "--force", "--force", scratch.worktree]);
  await Deno.remove(scratch.dir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  await gitOutput(root, ["worktree", "prune"]);
  scratch.lock?.close();
  scratch.lock = null;
}

/**
 * Removes every scratch checkout under `.mlp/reproduce/` whose mlp is gone (its lock is free, or
 * it has none and is older than a minute), with git's record of its worktree, and returns their
 * project-relative paths. A scratch another live reproduction holds is left alone.
 */
export async function removeAbandonedScratches(root: string): Promise<string[]> {
  const parent = join(projectPaths(root).state, "reproduce");
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(parent));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return removed;
    throw error;
  }
  for (const entry of entries) {
    if (!entry.isDirectory) continue;
    const dir = join(parent, entry.name);
    const state = await lockState(join(dir, OWNER_LOCK));
    if (state === "held") continue;
    if (state === "missing") {
      const age = Date.now() - ((await Deno.stat(dir)).mtime?.getTime() ?? Date.now());
      if (age < UNLOCKED_GRACE_MS) continue;
    }
    try {
      await removeScratch(root, {
        dir,
        worktree: join(dir, "tree"),
        environment: join(dir, "tree", ".venv"),
        lock: null,
      });
    } catch {
      // A process the killed mlp started (uv sync) may still be writing into it: next time.
      continue;
    }
    removed.push(`${relative(root, dir)}/`);
  }
  return removed;
}

/**
 * Copies a verified dataset directory into the worktree's `data/shadow/` unless the commit holds
 * it already (a dataset committed with the project is there as checked out; `mlp run` verifies
 * it again either way).
 */
export async function placeDataset(scratch: Scratch, source: string, hash: string): Promise<void> {
  const target = join(projectPaths(scratch.worktree).shadow, hash);
  try {
    await Deno.lstat(target);
    return;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await copyFiles(source, target);
}

async function copyFiles(source: string, target: string): Promise<void> {
  await Deno.mkdir(target, { recursive: true });
  for await (const entry of Deno.readDir(source)) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isDirectory) await copyFiles(from, to);
    else await Deno.copyFile(from, to);
  }
}

/** What a child process said and how it ended. */
interface ChildResult {
  success: boolean;
  stderr: string;
}

/**
 * Runs a command to its end; on an interrupt, stops it (SIGTERM), waits for it, and rethrows, so
 * nothing it writes outlives the cleanup that follows.
 */
async function runChild(
  command: string,
  args: string[],
  env: Record<string, string>,
  interrupts: RunInterrupts,
): Promise<ChildResult> {
  const child = new Deno.Command(command, {
    args,
    env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  try {
    const status = await interrupts.guard(child.status);
    return { success: status.success, stderr: await stderr };
  } catch (error) {
    try {
      child.kill("SIGTERM");
    } catch {
      // It has ended meanwhile.
    }
    await child.status;
    await stderr;
    throw error;
  }
}

function lastLines(text: string): string[] {
  return text.trim().split("\n").filter((line) => line !== "").slice(-5);
}

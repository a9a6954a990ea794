import { deepEqual, equal } from "node:assert/strict";
import { join } from "node:path";
import {
  closeAbandonedRunDirs,
  closeRunDir,
  createRunDir,
  KEEP_DIAGNOSTICS,
  recordRunId,
  type RunDir,
  RUNS_DIR,
} from "./run_dirs.ts";

async function tree(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    names.push(entry.isDirectory ? `${entry.name}/` : entry.name);
  }
  return names.sort();
}

async function withScratch(root: string): Promise<RunDir> {
  const dir = await createRunDir(root);
  await Deno.writeTextFile(join(dir.path, "plan.json"), "{}\n");
  await Deno.mkdir(join(dir.path, "scratch", "out", "model"), { recursive: true });
  await Deno.writeTextFile(join(dir.path, "scratch", "out", "error.txt"), "Traceback …\n");
  await Deno.writeTextFile(join(dir.path, "scratch", "out", "model", "model.skops"), "x");
  return dir;
}

const nameOf = (dir: RunDir) => dir.path.split("/").at(-1)!;

Deno.test("closeRunDir() removes a finished run's directory and keeps a failed run's diagnosis", async () => {
  const root = await Deno.makeTempDir();
  const finished = await withScratch(root);
  await closeRunDir(root, finished, "FINISHED");
  const failed = await withScratch(root);
  await closeRunDir(root, failed, "FAILED");
  deepEqual(await tree(join(root, RUNS_DIR)), [`${nameOf(failed)}/`]);
  deepEqual(await tree(failed.path), ["closed", "error.txt", "plan.json"]);
  equal(await Deno.readTextFile(join(failed.path, "error.txt")), "Traceback …\n");
  await Deno.remove(root, { recursive: true });
});

Deno.test(`closeRunDir() keeps at most ${KEEP_DIAGNOSTICS} failed runs, the newest`, async () => {
  const root = await Deno.makeTempDir();
  const made: string[] = [];
  for (let i = 0; i < KEEP_DIAGNOSTICS + 3; i++) {
    const dir = await createRunDir(root);
    // Names begin with the creation time: rename to distinct, ordered times.
    const name = `20260101T0000${String(i).padStart(2, "0")}-x`;
    await Deno.rename(dir.path, join(root, RUNS_DIR, name));
    made.push(name);
    await closeRunDir(root, { ...dir, path: join(root, RUNS_DIR, name) }, "KILLED");
  }
  deepEqual(await tree(join(root, RUNS_DIR)), made.slice(3).map((name) => `${name}/`));
  await Deno.remove(root, { recursive: true });
});

Deno.test("closeAbandonedRunDirs() tidies only directories no live mlp or supervisor holds", async () => {
  const root = await Deno.makeTempDir();
  const live = await createRunDir(root); // this process holds its mlp.lock
  const dead = await createRunDir(root);
  await recordRunId(dead, "f".repeat(32));
  dead.lock.close(); // as when its mlp is killed
  const deadNoRun = await createRunDir(root);
  deadNoRun.lock.close();
  const closed = await closeAbandonedRunDirs(root);
  deepEqual(closed.sort(), [dead.relative, deadNoRun.relative].sort());
  deepEqual(await tree(join(root, RUNS_DIR)), [`${nameOf(dead)}/`, `${nameOf(live)}/`].sort());
  deepEqual(await tree(dead.path), ["closed", "run.json"]);
  deepEqual(await closeAbandonedRunDirs(root), []);
  live.lock.close();
  await Deno.remove(root, { recursive: true });
});

/**
 * `make bench`, hashing section: wall time and throughput of mlp's dataset hashing against
 * `sha256sum` (the baseline), `openssl dgst -sha256` and, when `dvc` is on PATH, `dvc add`, on the
 * same files in the same run:
 *
 * - one large file (`MLP_BENCH_HASH_BYTES`, default 2 GiB of random bytes);
 * - many small files (`MLP_BENCH_HASH_FILES`, default 10,000 files of 100 KiB).
 *
 * The files are generated once into `.cache/bench-hashing/` and reused. Every tool runs once
 * unmeasured so all of them see a warm page cache; the figure is the median of
 * `MLP_BENCH_REPEATS` (default 3) runs. Prints a Markdown section on stdout, progress on stderr.
 *
 * `mlp hash` is the hashing `mlp data verify` does (`listTree` + `hashFiles`, in this process).
 * `mlp data add` and `dvc add` also copy the data into their store, so they are compared with
 * each other; `dvc add` computes MD5 where mlp computes SHA-256.
 *
 * @module
 */
import { randomFillSync } from "node:crypto";
import { join, resolve } from "node:path";
import { hashFiles } from "../src/cas/hash_files.ts";
import { addDataset } from "../src/cas/add.ts";
import { chmodTree, listTree } from "../src/cas/tree.ts";
import { formatBytes } from "../src/cas/progress.ts";

const ROOT = resolve(import.meta.dirname!, "..");
const CACHE = join(ROOT, ".cache/bench-hashing");
const LARGE_BYTES = Number(Deno.env.get("MLP_BENCH_HASH_BYTES") ?? 2 * 1024 ** 3);
const SMALL_COUNT = Number(Deno.env.get("MLP_BENCH_HASH_FILES") ?? 10_000);
const SMALL_BYTES = 100 * 1024;
const REPEATS = Number(Deno.env.get("MLP_BENCH_REPEATS") ?? 3);

/** Remarks printed under the table. */
const notes: string[] = [];

/** A set of files to hash: a directory and the names in it (tables, so `mlp data add` takes them). */
interface Workload {
  label: string;
  dir: string;
  names: string[];
  bytes: number;
}

/** One measured tool on one workload. */
interface Measurement {
  tool: string;
  ms: number;
}

/** Writes `size` random bytes to `path` unless a file of that size is already there. */
async function ensureRandomFile(path: string, size: number): Promise<void> {
  if ((await Deno.stat(path).catch(() => null))?.size === size) return;
  console.error(`bench: generating ${formatBytes(size)} of random data in ${path}`);
  const partial = `${path}.partial`;
  {
    using file = await Deno.open(partial, { write: true, create: true, truncate: true });
    const chunk = new Uint8Array(4 * 1024 * 1024);
    for (let written = 0; written < size; written += chunk.length) {
      const part = chunk.subarray(0, Math.min(chunk.length, size - written));
      randomFillSync(part);
      let offset = 0;
      while (offset < part.length) offset += await file.write(part.subarray(offset));
    }
  }
  await Deno.rename(partial, path);
}

async function largeWorkload(): Promise<Workload> {
  const dir = join(CACHE, "large");
  await Deno.mkdir(dir, { recursive: true });
  await ensureRandomFile(join(dir, "large.parquet"), LARGE_BYTES);
  return {
    label: `1 file × ${formatBytes(LARGE_BYTES)}`,
    dir,
    names: ["large.parquet"],
    bytes: LARGE_BYTES,
  };
}

async function smallWorkload(): Promise<Workload> {
  const dir = join(CACHE, `small-${SMALL_COUNT}x${SMALL_BYTES}`);
  const names = Array.from(
    { length: SMALL_COUNT },
    (_, i) => `part-${String(i).padStart(5, "0")}.csv`,
  );
  const done = join(dir, ".complete");
  if (!(await Deno.stat(done).catch(() => null))) {
    console.error(
      `bench: generating ${SMALL_COUNT} files of ${formatBytes(SMALL_BYTES)} in ${dir}`,
    );
    await Deno.mkdir(dir, { recursive: true });
    const bytes = new Uint8Array(SMALL_BYTES);
    for (const name of names) await Deno.writeFile(join(dir, name), randomFillSync(bytes));
    await Deno.writeTextFile(done, "");
  }
  return {
    label: `${SMALL_COUNT.toLocaleString("en")} files × ${formatBytes(SMALL_BYTES)}`,
    dir,
    names,
    bytes: SMALL_COUNT * SMALL_BYTES,
  };
}

/** Runs a command and throws with its stderr when it fails. */
async function exec(cmd: string, args: string[], cwd: string): Promise<string> {
  const output = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(
      `${cmd} ${args.slice(0, 3).join(" ")}… failed:\n${new TextDecoder().decode(output.stderr)}`,
    );
  }
  return new TextDecoder().decode(output.stdout);
}

async function onPath(cmd: string): Promise<boolean> {
  try {
    return (await new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

/**
 * Times `run` `REPEATS` times after one unmeasured warm-up; `prepare` runs untimed before each.
 * Returns the median in milliseconds.
 */
async function median(
  label: string,
  run: () => Promise<unknown>,
  prepare: () => Promise<void> = () => Promise.resolve(),
): Promise<number> {
  await prepare();
  await run();
  const samples: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    await prepare();
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const result = samples[Math.floor(samples.length / 2)];
  console.error(`bench: ${label}: median ${(result / 1000).toFixed(2)} s of ${REPEATS}`);
  return result;
}

/** A scratch directory, emptied (read-only datasets included) before every use. */
async function scratch(name: string): Promise<string> {
  const dir = join(CACHE, "scratch", name);
  if (await Deno.stat(dir).catch(() => null)) {
    await chmodTree(dir, 0o644, 0o755);
    await Deno.remove(dir, { recursive: true });
  }
  await Deno.mkdir(dir, { recursive: true });
  return dir;
}

async function measure(workload: Workload, dvc: boolean): Promise<Measurement[]> {
  const { dir, names, label } = workload;
  const results: Measurement[] = [];
  const add = async (tool: string, run: () => Promise<unknown>, prepare?: () => Promise<void>) => {
    results.push({ tool, ms: await median(`${label}: ${tool}`, run, prepare) });
  };
  await add("sha256sum", () => exec("sha256sum", names, dir));
  await add("openssl dgst -sha256", () => exec("openssl", ["dgst", "-sha256", ...names], dir));
  let peakRss = 0;
  await add("mlp hash (SHA-256)", async () => {
    const before = Deno.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, Deno.memoryUsage().rss - before);
    }, 20);
    try {
      const files = (await listTree(dir)).filter((entry) => entry.path !== ".complete");
      await hashFiles(files.map((file) => ({ path: join(dir, file.path), size: file.size })));
    } finally {
      clearInterval(sampler);
    }
  });
  notes.push(
    `${label}: mlp hash grew the process's resident memory by at most ${
      formatBytes(Math.max(0, peakRss))
    }.`,
  );

  // Copy + hash + store: mlp data add (with a fixed schema in place of the pandas probe).
  let project = "";
  const schema = new TextEncoder().encode('{"columns":[]}\n');
  await add(
    "mlp data add (copy + SHA-256)",
    () =>
      addDataset(project, names.map((name) => join(dir, name)), {
        probeSchema: () => Promise.resolve(schema),
      }),
    async () => {
      project = await scratch("mlp-project");
    },
  );
  if (dvc) {
    let workspace = "";
    try {
      await add(
        "dvc add (copy + MD5)",
        () => exec("dvc", ["add", "--quiet", "data"], workspace),
        async () => {
          workspace = await scratch("dvc-workspace");
          await exec("dvc", ["init", "--no-scm", "--quiet"], workspace);
          await Deno.mkdir(join(workspace, "data"));
          for (const name of names) {
            await Deno.copyFile(join(dir, name), join(workspace, "data", name));
          }
        },
      );
    } catch (error) {
      notes.push(
        `${label}: \`dvc add\` failed, so DVC is not in the table: ${(error as Error).message}`,
      );
    }
  }
  await scratch("mlp-project");
  await scratch("dvc-workspace");
  return results;
}

function row(workload: Workload, measurement: Measurement, baseline: number): string {
  const seconds = measurement.ms / 1000;
  const throughput = `${formatBytes(workload.bytes / seconds)}/s`;
  const ratio = (measurement.ms / baseline).toFixed(2);
  return `| ${workload.label} | ${measurement.tool} | ${
    seconds.toFixed(2)
  } s | ${throughput} | ${ratio} |`;
}

const dvc = await onPath("dvc");
const versions = [
  (await exec("sha256sum", ["--version"], ROOT)).split("\n")[0],
  (await exec("openssl", ["version"], ROOT)).trim(),
  dvc ? `DVC ${(await exec("dvc", ["--version"], ROOT)).trim()}` : undefined,
].filter(Boolean);

const workloads = [await largeWorkload(), await smallWorkload()];
const lines = [
  "## Dataset hashing",
  "",
  `Same files for every tool, page cache warm (one unmeasured run each), median of ${REPEATS} runs.`,
  "Ratio = wall time / `sha256sum` wall time on the same files (below 1 is faster). `mlp hash` is",
  "the hashing `mlp data verify` and every `mlp run` do; `mlp data add` and `dvc add` also copy",
  "the files into their store (DVC hashes with MD5). Tools: " + versions.join("; ") + ".",
  "",
  "| files | tool | wall time | throughput | ratio to sha256sum |",
  "| --- | --- | ---: | ---: | ---: |",
];
for (const workload of workloads) {
  const results = await measure(workload, dvc);
  const baseline = results.find((result) => result.tool === "sha256sum")!.ms;
  for (const result of results) lines.push(row(workload, result, baseline));
}
if (!dvc) notes.push("`dvc` was not on PATH, so DVC was not measured (`make bench` installs it).");
if (notes.length > 0) lines.push("", ...notes.map((note) => `- ${note}`));
console.log(lines.join("\n"));

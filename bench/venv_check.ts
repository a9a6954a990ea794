/**
 * `make bench`, environment section: the check of a virtual environment against uv.lock that every
 * `mlp run` does (`src/venv/check.ts`), cold (no stat cache: every RECORD-listed file hashed) and
 * warm (the cache vouches for every unchanged file), against
 * `find <env> -type f | xargs sha256sum` on the same environment in the same run (the baseline,
 * which hashes every file and checks nothing). The environment is the template's locked one
 * (`scripts/platform_env.sh`, or `MLP_BENCH_VENV`). Medians of `MLP_BENCH_REPEATS` (default 3)
 * runs after one unmeasured run each (page cache warm). Prints a Markdown section on stdout.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { CACHE_FILE, checkEnvironment } from "../src/venv/check.ts";

const ROOT = resolve(import.meta.dirname!, "..");
const REPEATS = Number(Deno.env.get("MLP_BENCH_REPEATS") ?? 3);

async function platformEnv(): Promise<string> {
  const chosen = Deno.env.get("MLP_BENCH_VENV");
  if (chosen) return resolve(chosen);
  const out = await new Deno.Command(join(ROOT, "scripts/platform_env.sh"), {
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("scripts/platform_env.sh failed");
  return resolve(new TextDecoder().decode(out.stdout).trim(), "../..");
}

async function median(label: string, fn: () => Promise<void>): Promise<number> {
  console.error(`bench: ${label}`);
  await fn();
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const env = await platformEnv();
// A project root of its own: the lock the environment was installed from, and a fresh cache.
const project = await Deno.makeTempDir({ prefix: "mlp-bench-venv-" });
await Deno.copyFile(join(ROOT, "template/uv.lock.jinja"), join(project, "uv.lock"));
const cache = join(project, CACHE_FILE);

const baseline = await median("find | xargs sha256sum", async () => {
  const out = await new Deno.Command("bash", {
    args: ["-c", 'find "$1" -type f -print0 | xargs -0 sha256sum >/dev/null', "bench", env],
  }).output();
  if (!out.success) throw new Error("find | xargs sha256sum failed");
});
let checked = { files: 0, hashed: 0 };
const cold = await median("mlp venv check, cold", async () => {
  await Deno.remove(cache).catch(() => {});
  checked = (await checkEnvironment(project, env))!;
});
const warm = await median("mlp venv check, warm", async () => {
  await checkEnvironment(project, env);
});
const files = (await new Deno.Command("bash", {
  args: ["-c", 'find "$1" -type f | wc -l', "bench", env],
  stdout: "piped",
}).output()).stdout;
await Deno.remove(project, { recursive: true });

const ms = (value: number) =>
  value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
console.log("## Environment check against uv.lock");
console.log();
console.log(
  `The template's locked environment (${new TextDecoder().decode(files).trim()} files, ` +
    `${checked.files} of them hashed in its wheels' RECORDs); page cache warm, median of ${REPEATS} ` +
    "runs. Ratio = wall time / the baseline's on the same files.",
);
console.log();
console.log("| what | wall time | ratio |");
console.log("| --- | --: | --: |");
console.log(`| \`find .venv -type f \\| xargs sha256sum\` (baseline) | ${ms(baseline)} | 1.00 |`);
console.log(
  `| mlp's check, cold (no \`.mlp/venv-check.json\`) | ${ms(cold)} | ${
    (cold / baseline).toFixed(2)
  } |`,
);
console.log(
  `| mlp's check, warm (stat cache, nothing changed) | ${ms(warm)} | ${
    (warm / baseline).toFixed(2)
  } |`,
);

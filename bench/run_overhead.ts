/**
 * `make bench`, run section: the wall time of `mlp validate`, and the fixed overhead of `mlp run`
 * over a plain Python script that trains the same model on the same data and logs the same to
 * MLflow (bench/plain_train.py), both measured in this one run on one generated project.
 * Prints a Markdown section on stdout.
 */
import { join } from "node:path";
import { createProject, exec, MLP_ROOT } from "../tests/support/project.ts";

const ROWS = Number(Deno.env.get("MLP_BENCH_ROWS") ?? 60_000);
const RUNS = Number(Deno.env.get("MLP_BENCH_RUNS") ?? 3);

async function timeIt(label: string, fn: () => Promise<void>, repeats: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  console.error(`bench: ${label}: median ${median.toFixed(0)} ms of ${repeats}`);
  return median;
}

async function mustSucceed(promise: Promise<{ code: number; stderr: string }>): Promise<void> {
  const out = await promise;
  if (out.code !== 0) throw new Error(out.stderr);
}

const project = await createProject({ rows: ROWS });
const mlp = join(MLP_ROOT, "bin/mlp");

const version = await timeIt(
  "mlp --version",
  () => mustSucceed(exec(mlp, ["--version"], project.root)),
  10,
);
const validate = await timeIt(
  "mlp validate",
  () => mustSucceed(exec(mlp, ["validate"], project.root)),
  10,
);
// Warm both paths once (bytecode compilation, store creation) before measuring.
await mustSucceed(exec(mlp, ["run"], project.root));
const plainArgs = [
  "run",
  "--quiet",
  "--locked",
  "python",
  join(MLP_ROOT, "bench/plain_train.py"),
  project.root,
];
await mustSucceed(exec("uv", plainArgs, project.root));
const run = await timeIt("mlp run", () => mustSucceed(exec(mlp, ["run"], project.root)), RUNS);
const plain = await timeIt(
  "plain script",
  () => mustSucceed(exec("uv", plainArgs, project.root)),
  RUNS,
);

console.log(`## mlp validate and mlp run

Project from the template (xgboost, stratified 5-fold CV), synthetic credit data with ${
  ROWS.toLocaleString("en")
}
rows; medians (validate: 10 runs, run: ${RUNS} runs after one warm-up each).

| what | median | ratio |
| --- | ---: | ---: |
| \`mlp --version\` (baseline: Deno start-up and module load) | ${version.toFixed(0)} ms | 1.00 |
| \`mlp validate\` | ${validate.toFixed(0)} ms | ${(validate / version).toFixed(2)} |
| plain script: same training, same MLflow logging (baseline) | ${
  (plain / 1000).toFixed(2)
} s | 1.00 |
| \`mlp run\` (checks, dataset verification, fingerprints, sandbox, plots, model) | ${
  (run / 1000).toFixed(2)
} s | ${(run / plain).toFixed(2)} |

Fixed overhead of \`mlp run\`: ${((run - plain) / 1000).toFixed(2)} s per run.
`);
await Deno.remove(join(project.root, ".."), { recursive: true });

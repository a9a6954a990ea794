/**
 * `make bench`, split section: what issue 7's separation costs a run. The wall time of `mlp run`
 * at this checkout (a feature stage forked per run, the trainer fitting every fold itself, the
 * code snapshot, the `.venv` check) against `mlp run` of the last commit with the single trainer
 * that ran project code beside the labels ({@linkcode SINGLE_TRAINER}), each on its own project
 * made by its own template from the same generated data. The two alternate, so that the machine's
 * drift over the minutes of the benchmark falls on both alike. Prints a Markdown section on
 * stdout.
 *
 * @module
 */
import { createProject, exec, MLP_ROOT, type TestProject } from "../tests/support/project.ts";

/** The last commit before the split: one trainer ran project code and fitted and scored the folds. */
export const SINGLE_TRAINER = "1d2cfb0";

const ROWS = Number(Deno.env.get("MLP_BENCH_ROWS") ?? 60_000);
const PAIRS = Number(Deno.env.get("MLP_BENCH_SPLIT_PAIRS") ?? 5);

/** Extracts the tree of `ref` of this repository into a new directory (no worktree is registered). */
async function checkoutRef(ref: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mlp-bench-single-trainer-" });
  const archive = new Deno.Command("bash", {
    args: ["-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "archive", MLP_ROOT, ref, dir],
    stderr: "piped",
  });
  const out = await archive.output();
  if (!out.success) {
    throw new Error(
      `bench: cannot read commit "${ref}" of ${MLP_ROOT}: ${
        new TextDecoder().decode(out.stderr).trim()
      }: run the benchmark in a full clone (git fetch --unshallow)`,
    );
  }
  return dir;
}

async function timedRun(project: TestProject): Promise<number> {
  const start = performance.now();
  const out = await project.mlp(["run"]);
  const elapsed = performance.now() - start;
  if (out.code !== 0) throw new Error(`mlp run exited ${out.code}:\n${out.stderr}`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const oldRoot = await checkoutRef(SINGLE_TRAINER);
const single = await createProject({ rows: ROWS, mlpRoot: oldRoot });
const split = await createProject({ rows: ROWS });
if (single.datasetHash !== split.datasetHash) {
  throw new Error(
    `bench: the two projects hold different data ("${single.datasetHash}" and "${split.datasetHash}"): ` +
      `the dataset generator changed since ${SINGLE_TRAINER}; compare on one file`,
  );
}
// One unmeasured run each: the store is created and Python's imports are cached.
await timedRun(single);
await timedRun(split);
const singleTimes: number[] = [];
const splitTimes: number[] = [];
for (let pair = 0; pair < PAIRS; pair++) {
  // ABBA order: neither side always runs first after the other has warmed the page cache.
  if (pair % 2 === 0) {
    singleTimes.push(await timedRun(single));
    splitTimes.push(await timedRun(split));
  } else {
    splitTimes.push(await timedRun(split));
    singleTimes.push(await timedRun(single));
  }
  console.error(
    `bench: split pair ${pair + 1}/${PAIRS}: single ${(singleTimes[pair] / 1000).toFixed(2)} s, ` +
      `split ${(splitTimes[pair] / 1000).toFixed(2)} s`,
  );
}
const diffs = splitTimes.map((t, i) => (t - singleTimes[i]) / 1000);
const singleMedian = median(singleTimes) / 1000;
const splitMedian = median(splitTimes) / 1000;
const commit = (await exec("git", ["rev-parse", "--short", "HEAD"], MLP_ROOT)).stdout.trim();
await Deno.remove(oldRoot, { recursive: true });

console.log(`## The cost of the split (issue 7)

\`mlp run\` on a project from the template (xgboost, stratified 5-fold CV, ${
  ROWS.toLocaleString("en")
} rows of the same
generated data), ${PAIRS} alternating pairs after one warm-up each. Baseline: mlp at ${SINGLE_TRAINER}, the last
commit whose single trainer ran project code next to the labels, with its own template. Measured:
mlp at ${commit}, with the feature stage forked per run, the trainer fitting every fold, the code
snapshot and the \`.venv\` check against uv.lock (warm stat cache). Everything else that changed
between the two commits is in the difference too, so it is an upper bound on the split's cost.

| what | median | ratio |
| --- | ---: | ---: |
| single trainer (${SINGLE_TRAINER}, baseline) | ${singleMedian.toFixed(2)} s | 1.00 |
| feature stage + platform trainer (${commit}) | ${splitMedian.toFixed(2)} s | ${
  (splitMedian / singleMedian).toFixed(2)
} |

Paired difference (split − single) per pair: median ${median(diffs).toFixed(2)} s, from ${
  Math.min(...diffs).toFixed(2)
} s to ${Math.max(...diffs).toFixed(2)} s.`);

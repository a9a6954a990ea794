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
/** The split as it was finished, on top of {@linkcode SINGLE_TRAINER} and nothing else. */
export const SPLIT_ALONE = "525c8d8";

const ROWS = Number(Deno.env.get("MLP_BENCH_ROWS") ?? 60_000);
const ROUNDS = Number(Deno.env.get("MLP_BENCH_SPLIT_ROUNDS") ?? 5);

/** Extracts the tree of `ref` of this repository into a new directory (no worktree is registered). */
async function checkoutRef(ref: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `mlp-bench-${ref}-` });
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

/** One mlp measured: where it comes from, its project, its run times. */
interface Version {
  label: string;
  root: string | null;
  project: TestProject;
  times: number[];
}

const commit = (await exec("git", ["rev-parse", "--short", "HEAD"], MLP_ROOT)).stdout.trim();
const versions: Version[] = [];
for (
  const [label, ref] of [
    [`single trainer (${SINGLE_TRAINER}, baseline)`, SINGLE_TRAINER],
    [`the split alone (${SPLIT_ALONE}: feature stage + platform trainer)`, SPLIT_ALONE],
    [`mlp now (${commit})`, null],
  ] as const
) {
  const root = ref === null ? null : await checkoutRef(ref);
  const project = await createProject({ rows: ROWS, ...(root ? { mlpRoot: root } : {}) });
  versions.push({ label, root, project, times: [] });
}
const hashes = new Set(versions.map((v) => v.project.datasetHash));
if (hashes.size !== 1) {
  throw new Error(
    `bench: the projects hold different data (${[...hashes].join(", ")}): the dataset ` +
      "generator changed between the commits; compare on one file",
  );
}
// One unmeasured run each: the store is created and Python's imports are cached.
for (const version of versions) await timedRun(version.project);
for (let round = 0; round < ROUNDS; round++) {
  // The order rotates each round, so that no version always runs right after the same other.
  for (let i = 0; i < versions.length; i++) {
    const version = versions[(i + round) % versions.length];
    version.times.push(await timedRun(version.project));
  }
  console.error(
    `bench: split round ${round + 1}/${ROUNDS}: ` +
      versions.map((v) => `${(v.times[round] / 1000).toFixed(2)} s`).join(", "),
  );
}
for (const version of versions) {
  if (version.root) await Deno.remove(version.root, { recursive: true });
}
const [single] = versions;
const base = median(single.times) / 1000;
const rows = versions.map((v) => {
  const diffs = v.times.map((t, i) => (t - single.times[i]) / 1000);
  const m = median(v.times) / 1000;
  const paired = v === single
    ? ""
    : `${median(diffs) >= 0 ? "+" : ""}${median(diffs).toFixed(2)} s (${
      Math.min(...diffs).toFixed(2)
    } to ${Math.max(...diffs).toFixed(2)})`;
  return `| ${v.label} | ${m.toFixed(2)} s | ${(m / base).toFixed(2)} | ${paired} |`;
});

console.log(`## The cost of the split (issue 7)

\`mlp run\` on a project from the template (xgboost, stratified 5-fold CV, ${
  ROWS.toLocaleString("en")
} rows of the same
generated data), ${ROUNDS} rounds after one warm-up each, every version once per round in rotating
order; each version runs its own template's project. Baseline: mlp at ${SINGLE_TRAINER}, the last commit
whose single trainer ran project code next to the labels. The split alone is that commit plus the
feature stage forked per run and the trainer fitting every fold itself. mlp now adds everything
since (the code snapshot, the \`.venv\` check against uv.lock, per-fold metrics, the outcome against a
baseline, the MLflow UI record, the data summary).

| mlp | median | ratio | paired difference to the baseline: median (range) |
| --- | ---: | ---: | ---: |
${rows.join("\n")}`);

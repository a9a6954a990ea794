/**
 * `make bench`, hooks section: wall time of `mlp hook pre-commit` with 200 staged Python files
 * and of `mlp hook pre-merge-commit` against an MLflow SQLite store of 1,000 runs, both through
 * `bin/mlp` as git runs them, next to baselines measured in the same run: a `true` process,
 * `git status`, an empty `deno run` (the floor of any Deno program) and `mlp --version` (mlp's
 * own start-up). Medians of `MLP_BENCH_REPEATS` (default 7) runs after one unmeasured run.
 *
 * The store's runs are written by the real MLflow client (`MLP_TEST_MLFLOW_PYTHON`) in one
 * process; `MLP_BENCH_HOOK_RUNS` and `MLP_BENCH_HOOK_FILES` change the sizes. Prints a Markdown
 * section on stdout, progress on stderr.
 *
 * @module
 */
import { join, resolve } from "node:path";
import {
  commitAll,
  git,
  makeProject,
  provingParams,
  TEST_ENV,
  writeFiles,
} from "../src/hooks/testing.ts";
import { writeMlflowRuns } from "../src/tracking/testing.ts";
import type { RunSpec } from "../src/tracking/testing.ts";

const ROOT = resolve(import.meta.dirname!, "..");
const REPEATS = Number(Deno.env.get("MLP_BENCH_REPEATS") ?? 7);
const RUNS = Number(Deno.env.get("MLP_BENCH_HOOK_RUNS") ?? 1000);
const FILES = Number(Deno.env.get("MLP_BENCH_HOOK_FILES") ?? 200);

/** Runs a command to completion, failing loudly if it fails; returns the wall time in ms. */
async function timed(cwd: string, command: string, args: string[], env: Record<string, string>) {
  const start = performance.now();
  const output = await new Deno.Command(command, {
    args,
    cwd,
    env,
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  })
    .output();
  const ms = performance.now() - start;
  if (!output.success) {
    throw new Error(
      `${command} ${args.join(" ")} failed:\n${new TextDecoder().decode(output.stderr)}`,
    );
  }
  return ms;
}

async function median(
  cwd: string,
  command: string,
  args: string[],
  env = TEST_ENV,
): Promise<number> {
  await timed(cwd, command, args, env);
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) times.push(await timed(cwd, command, args, env));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** A Python module of about 120 lines: functions, docstrings, comments, no training. */
function pythonModule(i: number): string {
  let text =
    `"""Feature helpers ${i}: model.fit(X) appears only in this docstring."""\n\nimport numpy as np\n\n`;
  for (let f = 0; f < 20; f++) {
    text += `\ndef feature_${i}_${f}(frame, window=${f + 1}):\n` +
      `    """Rolling mean over ${f + 1} rows."""\n` +
      `    values = np.asarray(frame["amount_${f}"], dtype=float)  # not .fit(\n` +
      `    return np.convolve(values, np.ones(window) / window, mode="same")\n`;
  }
  return text;
}

console.error(`bench: hooks: project with ${FILES} staged Python files, ${RUNS} MLflow runs`);
const root = await makeProject();
try {
  await git(root, ["checkout", "-q", "-b", "feature"]);
  await writeFiles(root, { "src/helpers.py": "def lag(x, n=1):\n    return x\n" });
  if ((await commitAll(root, "Feature")).code !== 0) throw new Error("feature commit refused");
  const tip = (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
  await git(root, ["checkout", "-q", "main"]);

  const params = await provingParams(root, tip);
  const filler: RunSpec[] = Array.from({ length: RUNS - 1 }, (_, i) => ({
    params: { ...params, git_commit: i.toString(16).padStart(40, "0"), random_seed: String(i) },
    tags: { "mlp.config": "configs/experiment.yaml" },
    metrics: { roc_auc: 0.7 + (i % 100) / 1000 },
  }));
  const started = performance.now();
  const ids = await writeMlflowRuns(`sqlite:///${join(root, "mlflow.db")}`, [
    ...filler.slice(0, Math.floor(filler.length / 2)),
    { params, tags: { "mlp.config": "configs/experiment.yaml" }, metrics: { roc_auc: 0.75 } },
    ...filler.slice(Math.floor(filler.length / 2)),
  ]);
  const proving = ids[Math.floor(filler.length / 2)];
  console.error(
    `bench: hooks: ${ids.length} runs written in ${
      ((performance.now() - started) / 1000).toFixed(0)
    } s`,
  );
  await git(root, ["notes", "--ref=mlflow", "add", "-m", `MLflow-Run: ${proving}`, tip]);

  const files: Record<string, string> = {};
  for (let i = 0; i < FILES; i++) files[`src/pipeline/module_${i}.py`] = pythonModule(i);
  await writeFiles(root, files);
  await git(root, ["add", "-A"]);

  const empty = join(root, ".mlp-bench-empty.ts");
  await Deno.writeTextFile(empty, "");
  const deno = join(ROOT, ".tools/deno/node_modules/.bin/deno");
  const mlp = join(ROOT, "bin/mlp");
  const mergeEnv = { ...TEST_ENV, [`GITHEAD_${tip}`]: "feature" };
  const rows: [string, number][] = [
    ["`true` (process start)", await median(root, "true", [])],
    ["`git status --porcelain`", await median(root, "git", ["status", "--porcelain"])],
    ["`deno run` of an empty file", await median(root, deno, ["run", "--quiet", empty])],
    ["`mlp --version` (mlp start-up)", await median(root, mlp, ["--version"])],
    [
      `\`mlp hook pre-commit\`, ${FILES} staged .py files`,
      await median(root, mlp, ["hook", "pre-commit"]),
    ],
    [
      `\`mlp hook pre-merge-commit\`, ${RUNS} runs in mlflow.db`,
      await median(root, mlp, ["hook", "pre-merge-commit"], mergeEnv),
    ],
  ];
  await Deno.remove(empty);
  const base = rows[2][1];
  console.log("## Git hooks\n");
  console.log(
    `Median wall time of ${REPEATS} runs through \`bin/mlp\` in a project with ${FILES} staged Python ` +
      `files (~120 lines each) and an MLflow SQLite store of ${RUNS} runs written by the MLflow client. ` +
      "The ratio is against an empty `deno run`, the floor of any Deno program.\n",
  );
  console.log("| command | median (ms) | × empty `deno run` |");
  console.log("| --- | ---: | ---: |");
  for (const [label, ms] of rows) {
    console.log(`| ${label} | ${ms.toFixed(0)} | ${(ms / base).toFixed(2)} |`);
  }
} finally {
  await Deno.remove(root, { recursive: true });
}

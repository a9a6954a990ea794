/**
 * `make bench`, query section: each `mlp query` question on an MLflow SQLite store of 10,000 runs
 * across 20 projects (5 clients), timed through `bin/mlp` as a person runs it (process start
 * included), next to the same question answered with `mlflow.search_runs` + pandas in the same
 * run (tests/support/query_store.py `time`: the search and the pandas work, the interpreter's
 * start and `import mlflow` left out, which favours the baseline). Both answers are compared
 * (runs counted, rows) before any time is reported.
 *
 * The store is written with the official MLflow client (create_run, log_batch, set_terminated
 * per run) once and kept in .cache/bench/; `MLP_BENCH_QUERY_RUNS` and `MLP_BENCH_QUERY_PROJECTS`
 * change its size. mlp's figure is the median of `MLP_BENCH_REPEATS` (default 7) runs after one
 * unmeasured run; the baseline's the median of `MLP_BENCH_QUERY_BASELINE_REPEATS` (default 3).
 * Prints a Markdown section on stdout, progress on stderr.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { MLFLOW_PYTHON } from "../src/tracking/testing.ts";

const ROOT = resolve(import.meta.dirname!, "..");
const RUNS = Number(Deno.env.get("MLP_BENCH_QUERY_RUNS") ?? 10_000);
const PROJECTS = Number(Deno.env.get("MLP_BENCH_QUERY_PROJECTS") ?? 20);
const REPEATS = Number(Deno.env.get("MLP_BENCH_REPEATS") ?? 7);
const BASELINE_REPEATS = Number(Deno.env.get("MLP_BENCH_QUERY_BASELINE_REPEATS") ?? 3);
const SCRIPT = join(ROOT, "tests/support/query_store.py");
const ENV = { MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true", NO_COLOR: "1" };

interface Question {
  label: string;
  args: string[];
  oracle: Record<string, unknown>;
}

const QUESTIONS: Question[] = [
  {
    label: "changes --all-projects --top 20",
    args: ["changes", "--all-projects", "--top", "20"],
    oracle: { query: "changes", top: 20 },
  },
  {
    label: "categories --all-projects",
    args: ["categories", "--all-projects"],
    oracle: { query: "categories" },
  },
  {
    label: "approaches --use-case credit_risk",
    args: ["approaches", "--use-case", "credit_risk"],
    oracle: { query: "approaches", scope: { use_case: "credit_risk" } },
  },
  {
    label: "runs-to-target --metric roc_auc --target 0.75",
    args: ["runs-to-target", "--metric", "roc_auc", "--target", "0.75"],
    oracle: { query: "runs-to-target", metric: "roc_auc", target: 0.75 },
  },
  {
    label: "history --project project_07",
    args: ["history", "--project", "project_07"],
    oracle: { query: "history", scope: { projects: ["project_07"] } },
  },
];

async function run(cmd: string, args: string[]): Promise<{ ms: number; stdout: string }> {
  const start = performance.now();
  const out = await new Deno.Command(cmd, { args, env: ENV, stdin: "null", cwd: "/" }).output();
  const ms = performance.now() - start;
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} failed:\n${text(out.stderr)}`);
  return { ms, stdout: text(out.stdout) };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function store(): Promise<string> {
  const dir = join(ROOT, ".cache/bench");
  const file = join(dir, `query-${RUNS}-${PROJECTS}.db`);
  try {
    await Deno.stat(file);
    return file;
  } catch {
    // Built below.
  }
  await Deno.mkdir(dir, { recursive: true });
  const part = `${file}.part`;
  await Deno.remove(part).catch(() => {});
  console.error(`bench: writing ${RUNS} runs in ${PROJECTS} projects with the MLflow client…`);
  await run(MLFLOW_PYTHON, [
    SCRIPT,
    "build",
    `sqlite:///${part}`,
    String(RUNS),
    String(PROJECTS),
    "1",
  ]);
  await Deno.rename(part, file);
  return file;
}

const db = await store();
const uri = `sqlite:///${db}`;
const mlp = join(ROOT, "bin/mlp");
const oracle = JSON.parse(
  (await run(MLFLOW_PYTHON, [
    SCRIPT,
    "answer",
    uri,
    JSON.stringify(QUESTIONS.map((q) => q.oracle)),
  ]))
    .stdout,
) as { counted: number; rows: unknown[] }[];
const startup: number[] = [];
await run(mlp, ["--version"]);
for (let r = 0; r < REPEATS; r++) startup.push((await run(mlp, ["--version"])).ms);
const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "? ")).split(" ")[0];
const rows: string[][] = [];
const lines = [
  "## Queries",
  "",
  `\`mlp query\` on an MLflow SQLite store of ${
    RUNS.toLocaleString("en")
  } runs across ${PROJECTS} ` +
  "projects, against `mlflow.search_runs` + pandas answering the same question (both answers " +
  "compared first). mlp: the whole `bin/mlp query … --format json` process, median of " +
  `${REPEATS}; baseline: search and pandas inside one warm Python, median of ${BASELINE_REPEATS} ` +
  '(the target\'s ratio); "as a script": the same question as a Python process, interpreter ' +
  "start and `import mlflow` included, as an analyst runs it. " +
  "Target: under 1 s and at least 20 times faster. For scale, `mlp --version` (Deno's start-up " +
  `and mlp's module load) took ${(median(startup) / 1000).toFixed(3)} s in this run; load ` +
  `average ${load} when it started.`,
  "",
];
for (const [i, q] of QUESTIONS.entries()) {
  const args = ["query", ...q.args, "--store", db, "--format", "json"];
  const first = JSON.parse((await run(mlp, args)).stdout);
  if (first.counted !== oracle[i].counted || first.rows.length !== oracle[i].rows.length) {
    throw new Error(
      `${q.label}: mlp counted ${first.counted} runs and gave ${first.rows.length} rows; ` +
        `pandas ${oracle[i].counted} and ${oracle[i].rows.length}`,
    );
  }
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) times.push((await run(mlp, args)).ms);
  const baselineTimes = JSON.parse(
    (await run(MLFLOW_PYTHON, [
      SCRIPT,
      "time",
      uri,
      JSON.stringify(Array(BASELINE_REPEATS).fill(q.oracle)),
    ])).stdout,
  ) as number[];
  // The same question as a script an analyst runs: interpreter start and `import mlflow` included.
  const scriptTimes: number[] = [];
  for (let r = 0; r < BASELINE_REPEATS; r++) {
    scriptTimes.push(
      (await run(MLFLOW_PYTHON, [SCRIPT, "answer", uri, JSON.stringify([q.oracle])])).ms,
    );
  }
  const script = median(scriptTimes) / 1000;
  const ours = median(times) / 1000;
  const theirs = median(baselineTimes);
  const ratio = theirs / ours;
  console.error(`bench: ${q.label}: ${ours.toFixed(3)} s vs ${theirs.toFixed(2)} s`);
  rows.push([
    `\`${q.label}\``,
    `${ours.toFixed(3)} s`,
    `${theirs.toFixed(2)} s`,
    `${ratio.toFixed(0)}x`,
    `${script.toFixed(2)} s`,
    `${(script / ours).toFixed(0)}x`,
    ours < 1 && ratio >= 20 ? "yes" : "no",
  ]);
}
const header = [
  "query",
  "mlp",
  "search_runs + pandas",
  "ratio",
  "as a script",
  "ratio",
  "target met",
];
const right = [false, true, true, true, true, true, false];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const cell = (text: string, i: number) =>
  right[i] ? text.padStart(widths[i]) : text.padEnd(widths[i]);
lines.push(
  `| ${header.map(cell).join(" | ")} |`,
  `| ${widths.map((w, i) => (right[i] ? "-".repeat(w - 1) + ":" : "-".repeat(w))).join(" | ")} |`,
  ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
);
// Wrapped as `deno fmt` wraps prose, so docs/benchmarks.md passes `deno fmt --check` as written.
const fmt = new Deno.Command(Deno.execPath(), {
  args: ["fmt", "--ext", "md", "--line-width", "100", "-"],
  stdin: "piped",
  stdout: "piped",
}).spawn();
const writer = fmt.stdin.getWriter();
await writer.write(new TextEncoder().encode(lines.join("\n") + "\n"));
await writer.close();
console.log(new TextDecoder().decode((await fmt.output()).stdout).trimEnd());

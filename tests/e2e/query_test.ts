/**
 * `mlp query` against answers computed independently: two project stores of 150 runs each (six
 * projects of four clients, with failed, killed, deleted and unsealed runs among them) written
 * with the official MLflow client, each question asked of mlp (`--format json`, both stores at
 * once) and of `mlflow.search_runs` + pandas (tests/support/query_store.py), and compared field
 * by field. Then one question read over REST from a real `mlflow server`.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { join, resolve } from "node:path";
import {
  MLFLOW_PYTHON,
  type MlflowServer,
  runMlflowPython,
  startMlflowServer,
  TEST_EXPERIMENT,
  writeMlflowRuns,
} from "../../src/tracking/testing.ts";

const ROOT = resolve(import.meta.dirname!, "../..");
const STORE_SCRIPT = join(ROOT, "tests/support/query_store.py");
const ENV = { MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true", NO_COLOR: "1" };

async function run(cmd: string, args: string[], cwd = ROOT) {
  const out = await new Deno.Command(cmd, { args, cwd, env: ENV, stdin: "null" }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

async function python(args: string[]): Promise<string> {
  const out = await run(MLFLOW_PYTHON, [STORE_SCRIPT, ...args]);
  if (out.code !== 0) throw new Error(`query_store.py ${args[0]} failed:\n${out.stderr}`);
  return out.stdout;
}

/** Numbers equal to 1e-9 (pandas and mlp sum in different orders), everything else exactly. */
function close(actual: unknown, expected: unknown, path = "$"): void {
  if (typeof expected === "number" && typeof actual === "number") {
    if (Math.abs(actual - expected) > 1e-9) {
      throw new Error(`${path}: ${actual} != ${expected}`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    equal(Array.isArray(actual), true, `${path} is not an array`);
    equal((actual as unknown[]).length, expected.length, `${path}: length`);
    expected.forEach((e, i) => close((actual as unknown[])[i], e, `${path}[${i}]`));
    return;
  }
  if (expected && typeof expected === "object") {
    deepEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), `${path}: keys`);
    for (const [k, v] of Object.entries(expected)) {
      close((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    }
    return;
  }
  equal(actual, expected, path);
}

interface Question {
  query: string;
  args: string[];
  scope?: Record<string, unknown>;
  top?: number;
  metric?: string;
  target?: number;
}

const QUESTIONS: Question[] = [
  { query: "changes", args: ["--top", "25", "--all-projects"], top: 25 },
  {
    query: "changes",
    args: ["--project", "project_01", "--project", "project_04", "--top", "1000"],
    scope: { projects: ["project_01", "project_04"] },
    top: 1000,
  },
  { query: "categories", args: ["--all-projects"] },
  { query: "categories", args: ["--client", "client_2"], scope: { clients: ["client_2"] } },
  { query: "approaches", args: [] },
  {
    query: "approaches",
    args: ["--use-case", "credit_risk"],
    scope: { use_case: "credit_risk" },
  },
  {
    query: "runs-to-target",
    args: ["--metric", "roc_auc", "--target", "0.74"],
    metric: "roc_auc",
    target: 0.74,
  },
  {
    query: "runs-to-target",
    args: ["--metric", "log_loss", "--target", "0.41"],
    metric: "log_loss",
    target: 0.41,
  },
  { query: "history", args: ["--all-projects"] },
  {
    query: "history",
    args: ["--project", "project_03", "--since", "2026-01-01T01:00:00Z"],
    scope: { projects: ["project_03"], since: "2026-01-01T01:00:00Z" },
  },
];

Deno.test("mlp query answers as mlflow.search_runs and pandas do", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "mlp-query-" });
  const a = join(dir, "a", "mlflow.db");
  const b = join(dir, "b", "mlflow.db");
  await Deno.mkdir(join(dir, "a"));
  await Deno.mkdir(join(dir, "b"));
  // Two project stores at once: projects 0-2 in one, 3-5 in the other.
  await Promise.all([
    python(["build", `sqlite:///${a}`, "150", "3", "1", "0"]),
    python(["build", `sqlite:///${b}`, "150", "3", "2", "3"]),
  ]);
  const uris = `sqlite:///${a},sqlite:///${b}`;
  const expected = JSON.parse(
    await python(["answer", uris, JSON.stringify(QUESTIONS.map(({ args: _, ...q }) => q))]),
  ) as Record<string, unknown>[];

  for (const [i, q] of QUESTIONS.entries()) {
    await t.step(`${q.query} ${q.args.join(" ")}`, async () => {
      const out = await run(join(ROOT, "bin/mlp"), [
        "query",
        q.query,
        "--store",
        join(dir, "a"),
        "--store",
        b,
        "--format",
        "json",
        ...q.args,
      ], dir);
      equal(out.code, 0, out.stderr);
      const got = JSON.parse(out.stdout);
      equal(got.query, q.query);
      equal(got.counted, expected[i].counted);
      close(got.rows, expected[i].rows);
      if (expected[i].summary) close(got.summary, expected[i].summary);
      equal((got.rows as unknown[]).length > 0, true, "the question has an answer");
      match(out.stderr, new RegExp(`^mlp query: ${got.counted} runs counted; left out: `));
    });
  }

  await t.step("the runs left out are counted by reason", async () => {
    const out = await run(join(ROOT, "bin/mlp"), [
      "query",
      "categories",
      "--store",
      a,
      "--store",
      b,
      "--format",
      "json",
    ], dir);
    equal(out.code, 0, out.stderr);
    const { left_out, counted } = JSON.parse(out.stdout);
    const truth = JSON.parse(
      await run(MLFLOW_PYTHON, [
        "-c",
        `
import json, sys, mlflow
from mlflow.entities import ViewType
out = {"deleted": 0, "unfinished": 0, "unsealed": 0, "counted": 0}
for uri in sys.argv[1:]:
    mlflow.set_tracking_uri(uri)
    df = mlflow.search_runs(search_all_experiments=True, run_view_type=ViewType.ALL)
    deleted = set(mlflow.search_runs(search_all_experiments=True,
                  run_view_type=ViewType.DELETED_ONLY)["run_id"])
    for _, r in df.iterrows():
        key = ("deleted" if r["run_id"] in deleted else "unfinished" if r["status"] != "FINISHED"
               else "unsealed" if not isinstance(r["tags.mlp.seal"], str) else "counted")
        out[key] += 1
print(json.dumps(out))
`,
        `sqlite:///${a}`,
        `sqlite:///${b}`,
      ]).then((r) => r.stdout),
    );
    equal(counted, truth.counted);
    deepEqual(left_out, {
      "deleted (in the trash)": truth.deleted,
      "not FINISHED": truth.unfinished,
      "no mlp.seal tag (not recorded by mlp run)": truth.unsealed,
    });
  });

  await t.step("read over REST from an mlflow server, the answer is the same", async () => {
    let server: MlflowServer | undefined;
    try {
      server = await startMlflowServer(`sqlite:///${a}`);
      const ask = (store: string) =>
        run(join(ROOT, "bin/mlp"), [
          "query",
          "history",
          "--all-projects",
          "--store",
          store,
          "--format",
          "json",
        ], dir);
      const [rest, sqlite] = await Promise.all([ask(server.url), ask(a)]);
      equal(rest.code, 0, rest.stderr);
      deepEqual(JSON.parse(rest.stdout), JSON.parse(sqlite.stdout));
      equal(rest.stderr, sqlite.stderr);
    } finally {
      await server?.stop();
    }
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--verify leaves out a sealed run whose record was edited, and names it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mlp-query-verify-" });
  const uri = `sqlite:///${join(dir, "mlflow.db")}`;
  const spec = (i: number, delta: number) => ({
    params: {
      "reasoning.hypothesis_category": "regularization",
      "reasoning.change_description": `change ${i}`,
      model_type: "xgboost",
      git_commit: "a".repeat(40),
    },
    tags: { primary_metric: "roc_auc", "mlp.outcome": "confirmed" },
    metrics: { roc_auc: 0.7 + delta, metric_delta: delta },
    artifacts: { "mlp/note.txt": `run ${i}` },
    sealed: true,
  });
  const ids = await writeMlflowRuns(
    uri,
    [spec(0, 0.01), spec(1, 0.02), spec(2, 0.03)],
    TEST_EXPERIMENT,
    join(dir, "artifacts"),
  );
  // Someone raises run 1's delta after the fact.
  await runMlflowPython(
    `
import json, sys
from mlflow.tracking import MlflowClient
spec = json.load(sys.stdin)
MlflowClient(tracking_uri=spec["uri"]).log_metric(spec["run"], "metric_delta", 0.5)
`,
    { uri, run: ids[1] },
    "tampering",
  );
  const ask = (...extra: string[]) =>
    run(join(ROOT, "bin/mlp"), [
      "query",
      "changes",
      "--store",
      join(dir, "mlflow.db"),
      "--format",
      "json",
      ...extra,
    ], dir);
  const trusting = await ask();
  equal(trusting.code, 0, trusting.stderr);
  deepEqual(JSON.parse(trusting.stdout).rows.map((r: { run: string }) => r.run), [
    ids[1],
    ids[2],
    ids[0],
  ]);
  const verified = await ask("--verify");
  equal(verified.code, 0, verified.stderr);
  const answer = JSON.parse(verified.stdout);
  deepEqual(answer.rows.map((r: { run: string }) => r.run), [ids[2], ids[0]]);
  deepEqual(answer.left_out, {
    "seal broken (--verify: the record changed since it was sealed)": 1,
  });
  match(
    verified.stderr,
    new RegExp(`^mlp query: left out run ${ids[1]}: its record changed since it was sealed`),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mlp query refuses bad input before reading anything, naming the fix", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mlp-query-input-" });
  const mlp = (...args: string[]) => run(join(ROOT, "bin/mlp"), ["query", ...args], dir);
  const cases: [string[], string][] = [
    [
      ["history"],
      "error: No MLflow store to query: mlp runs outside a project\nhint: run it inside a " +
      "client project, set MLFLOW_TRACKING_URI, or name stores with --store (a project folder, " +
      "a mlflow.db file or http(s)://server:port; repeatable)\n",
    ],
    [
      ["history", "--store", "x.db", "--format", "xml"],
      'error: --format "xml" is not an output format\nhint: use one of table, json, csv, ' +
      "markdown\n",
    ],
    [
      ["history", "--store", "x.db", "--plot", "x.pdf"],
      'error: --plot "x.pdf" must end in .svg or .png\nhint: name the file e.g. history.svg ' +
      "(vector) or history.png (image)\n",
    ],
    [
      ["changes", "--store", "x.db", "--top", "0"],
      'error: --top "0" is not a positive whole number\nhint: e.g. --top 10\n',
    ],
    [
      ["history", "--store", "x.db", "--since", "yesterday"],
      'error: --since "yesterday" is not a date\nhint: give an ISO date or time in UTC, e.g. ' +
      "2026-11-01 or 2026-11-01T09:00:00Z\n",
    ],
  ];
  for (const [args, stderr] of cases) {
    const out = await mlp(...args);
    equal(out.code, 2, args.join(" "));
    equal(out.stderr, stderr);
    equal(out.stdout, "");
  }
  await Deno.remove(dir, { recursive: true });
});

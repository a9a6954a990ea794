/**
 * `mlp cost` against a store the real MLflow client wrote: runs across clients, projects, ISO
 * weeks and models, a deleted run, a run without a cost and a person's run without agent params.
 */
import { deepEqual, equal } from "node:assert/strict";
import { join } from "node:path";
import { runMlflowPython } from "../tracking/testing.ts";
import { openSqliteRunReader } from "../tracking/sqlite_reader.ts";
import { mlp } from "../cli/testing.ts";
import { readSpend } from "./spend.ts";

const WRITER = `
import json, sys
from mlflow.entities import Param
from mlflow.tracking import MlflowClient

spec = json.load(sys.stdin)
client = MlflowClient(tracking_uri=spec["uri"])
ids = []
for run in spec["runs"]:
    name = run["experiment"]
    experiment = client.get_experiment_by_name(name)
    experiment_id = experiment.experiment_id if experiment else client.create_experiment(name)
    client_name, project_name = name.split("/")
    created = client.create_run(
        experiment_id,
        start_time=run["start"],
        tags={"client_name": client_name, "project_name": project_name},
    )
    run_id = created.info.run_id
    client.log_batch(run_id, params=[Param(k, v) for k, v in run["params"].items()])
    client.set_terminated(run_id, "FINISHED", end_time=run["start"] + 1000)
    if run.get("deleted"):
        client.delete_run(run_id)
    ids.append(run_id)
print(json.dumps(ids))
`;

const agent = (source: string, model?: string, tokens?: number, cost?: string) => ({
  "agent.source": source,
  ...(model ? { "agent.model": model } : {}),
  ...(tokens === undefined ? {} : { "agent.tokens.total": String(tokens) }),
  ...(cost === undefined ? {} : { "agent.cost_usd": cost }),
});

const RUNS = [
  {
    experiment: "acme/churn",
    start: "2026-11-24T10:00:00Z",
    params: agent("transcript", "claude-opus-4-5", 1000, "0.25"),
  },
  {
    experiment: "acme/churn",
    start: "2026-12-01T09:00:00Z",
    params: agent("transcript", "claude-opus-4-5", 2000, "0.5"),
  },
  {
    experiment: "acme/churn",
    start: "2026-12-02T09:00:00Z",
    params: agent("flags", "claude-sonnet-4-5", 500, "1.25"),
    deleted: true,
  },
  { experiment: "acme/fraud", start: "2026-12-02T10:00:00Z", params: agent("unavailable") },
  {
    experiment: "bank/risk",
    start: "2026-12-03T08:00:00Z",
    params: agent("transcript", "claude-haiku-4-5", 300, "0.003"),
  },
  { experiment: "bank/risk", start: "2026-12-03T09:00:00Z", params: { model_type: "xgboost" } },
];

const dir = await Deno.makeTempDir({ prefix: "mlp-cost-store-" });
const db = join(dir, "mlflow.db");
const ids: string[] = JSON.parse(
  await runMlflowPython(
    WRITER,
    { uri: `sqlite:///${db}`, runs: RUNS.map((run) => ({ ...run, start: Date.parse(run.start) })) },
    "MLflow writer",
  ),
);
const env = { MLFLOW_TRACKING_URI: `sqlite:///${db}` };

Deno.test("readSpend() reads every agent run, deleted ones too, and no other run", async () => {
  const reader = openSqliteRunReader(db);
  try {
    const records = await readSpend(reader);
    deepEqual(
      records.map((r) => [r.runId, r.client, r.project, r.source, r.model, r.tokens, r.costUsd]),
      [
        [ids[0], "acme", "churn", "transcript", "claude-opus-4-5", 1000, 0.25],
        [ids[1], "acme", "churn", "transcript", "claude-opus-4-5", 2000, 0.5],
        [ids[2], "acme", "churn", "flags", "claude-sonnet-4-5", 500, 1.25],
        [ids[3], "acme", "fraud", "unavailable", "(unknown)", null, null],
        [ids[4], "bank", "risk", "transcript", "claude-haiku-4-5", 300, 0.003],
      ],
    );
    equal(records[0].startTime, Date.parse("2026-11-24T10:00:00Z"));
  } finally {
    reader.close();
  }
});

Deno.test("mlp cost --by project prints an aligned table with a total", async () => {
  const out = await mlp(dir, ["cost", "--by", "project"], env);
  equal(out.stderr, "");
  equal(out.code, 0);
  equal(
    out.stdout,
    [
      "project     runs  unpriced_runs  tokens  cost_usd",
      "acme/churn     3              0    3500         2",
      "acme/fraud     1              1       0         0",
      "bank/risk      1              0     300     0.003",
      "total          5              1    3800     2.003",
      "",
    ].join("\n"),
  );
});

Deno.test("mlp cost --by week --since --format json sums the ISO weeks from that day", async () => {
  const out = await mlp(
    dir,
    ["cost", "--by", "week", "--since", "2026-11-30", "--format", "json"],
    env,
  );
  equal(out.code, 0, out.stderr);
  deepEqual(JSON.parse(out.stdout), [
    { week: "2026-W49", runs: 4, unpriced_runs: 1, tokens: 2800, cost_usd: 1.753 },
  ]);
  const all = await mlp(dir, ["cost", "--format", "json"], env);
  deepEqual(JSON.parse(all.stdout), [
    {
      project: "acme/churn",
      week: "2026-W48",
      runs: 1,
      unpriced_runs: 0,
      tokens: 1000,
      cost_usd: 0.25,
    },
    {
      project: "acme/churn",
      week: "2026-W49",
      runs: 2,
      unpriced_runs: 0,
      tokens: 2500,
      cost_usd: 1.75,
    },
    { project: "acme/fraud", week: "2026-W49", runs: 1, unpriced_runs: 1, tokens: 0, cost_usd: 0 },
    {
      project: "bank/risk",
      week: "2026-W49",
      runs: 1,
      unpriced_runs: 0,
      tokens: 300,
      cost_usd: 0.003,
    },
  ]);
});

Deno.test("mlp cost --by model as CSV, --by client,week as Markdown", async () => {
  const csv = await mlp(dir, ["cost", "--by", "model", "--format", "csv"], env);
  equal(
    csv.stdout,
    [
      "model,runs,unpriced_runs,tokens,cost_usd",
      "(unknown),1,1,0,0",
      "claude-haiku-4-5,1,0,300,0.003",
      "claude-opus-4-5,2,0,3000,0.75",
      "claude-sonnet-4-5,1,0,500,1.25",
      "",
    ].join("\n"),
  );
  const markdown = await mlp(dir, ["cost", "--by", "client,week", "--format", "markdown"], env);
  equal(
    markdown.stdout,
    [
      "| client | week | runs | unpriced_runs | tokens | cost_usd |",
      "| --- | --- | ---: | ---: | ---: | ---: |",
      "| acme | 2026-W48 | 1 | 0 | 1000 | 0.25 |",
      "| acme | 2026-W49 | 3 | 1 | 2500 | 1.75 |",
      "| bank | 2026-W49 | 1 | 0 | 300 | 0.003 |",
      "| total |  | 5 | 1 | 3800 | 2.003 |",
      "",
    ].join("\n"),
  );
});

Deno.test("mlp cost refuses a bad --by, --since or --format with exit 2", async () => {
  const cases: [string[], string][] = [
    [
      ["--by", "team"],
      'error: --by "team" is not a list of project, client, week, model\n' +
      "hint: group by one or more of them, comma-separated, each once: --by project,week\n",
    ],
    [
      ["--since", "2026-13-01"],
      'error: --since "2026-13-01" is not a date\nhint: give a day as YYYY-MM-DD (UTC): --since 2026-11-30\n',
    ],
    [
      ["--format", "xml"],
      'error: --format "xml" is not one of table, json, csv, markdown\n' +
      "hint: use --format json, csv or markdown, or leave it out for a table\n",
    ],
  ];
  for (const [args, stderr] of cases) {
    const out = await mlp(dir, ["cost", ...args], env);
    equal(out.code, 2);
    equal(out.stderr, stderr);
    equal(out.stdout, "");
  }
});

Deno.test("mlp cost --plot draws the sums with Vega-Lite as SVG", async () => {
  const file = join(dir, "cost.svg");
  const out = await mlp(dir, ["cost", "--by", "week,project", "--plot", file], env);
  equal(out.code, 0, out.stderr);
  const svg = await Deno.readTextFile(file);
  equal(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), true);
  for (const text of ["2026-W48", "2026-W49", "acme/churn", "bank/risk", "cost_usd"]) {
    equal(svg.includes(`>${text}<`), true, `the plot shows "${text}"`);
  }
  const png = await mlp(dir, ["cost", "--plot", "cost.png"], env);
  equal(png.code, 2);
  equal(
    png.stderr,
    'error: --plot "cost.png" is not an .svg file\nhint: name an SVG file, e.g. --plot cost.svg\n',
  );
});

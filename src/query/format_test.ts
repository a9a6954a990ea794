import { equal } from "node:assert/strict";
import { formatResult } from "./format.ts";
import { changes, runsToTarget } from "./questions.ts";
import { queryRun } from "./testing.ts";

const result = changes([
  queryRun(1, {
    delta: 0.0123456,
    outcome: "confirmed",
    change: 'Add "ratio" features, drop id',
    commit: "0123456789abcdef0123456789abcdef01234567",
  }),
  queryRun(2, { delta: -0.002, outcome: "negative", change: "a | b", category: null }),
], 10);

Deno.test("json keeps every digit, full IDs, ISO dates and says what was left out", async () => {
  equal(
    await formatResult(result, "json", 2, { "not FINISHED": 1 }),
    JSON.stringify(
      {
        query: "changes",
        counted: 2,
        left_out: { "not FINISHED": 1 },
        rows: [
          {
            run: "run00100000000000000000000000000",
            date: "2026-01-01T00:01:00Z",
            experiment: "acme/credit",
            category: "feature_addition",
            change: 'Add "ratio" features, drop id',
            delta: 0.0123456,
            outcome: "confirmed",
            commit: "0123456789abcdef0123456789abcdef01234567",
          },
          {
            run: "run00200000000000000000000000000",
            date: "2026-01-01T00:02:00Z",
            experiment: "acme/credit",
            category: null,
            change: "a | b",
            delta: -0.002,
            outcome: "negative",
            commit: "cccccccccccccccccccccccccccccccccccccccc",
          },
        ],
      },
      null,
      2,
    ),
  );
});

Deno.test("csv quotes commas and quotes (RFC 4180) and leaves nulls empty", async () => {
  equal(
    await formatResult(result, "csv", 2, {}),
    [
      "run,date,experiment,category,change,delta,outcome,commit",
      'run00100000000000000000000000000,2026-01-01T00:01:00Z,acme/credit,feature_addition,"Add ""ratio"" features, drop id",0.0123456,confirmed,0123456789abcdef0123456789abcdef01234567',
      "run00200000000000000000000000000,2026-01-01T00:02:00Z,acme/credit,,a | b,-0.002,negative,cccccccccccccccccccccccccccccccccccccccc",
    ].join("\n"),
  );
});

Deno.test("markdown: short IDs, four decimals, numbers right-aligned, pipes escaped", async () => {
  equal(
    await formatResult(result, "markdown", 2, {}),
    [
      "| run | date | experiment | category | change | delta | outcome | commit |",
      "| --- | --- | --- | --- | --- | ---: | --- | --- |",
      '| run00100 | 2026-01-01 00:01 | acme/credit | feature_addition | Add "ratio" features, drop id | 0.0123 | confirmed | 01234567 |',
      "| run00200 | 2026-01-01 00:02 | acme/credit |  | a \\| b | -0.0020 | negative | cccccccc |",
    ].join("\n"),
  );
});

Deno.test("table: aligned columns, no trailing blanks, the summary after it", async () => {
  const target = runsToTarget(
    [queryRun(0, { metrics: { f1: 0.5 } }), queryRun(1, { metrics: { f1: 0.9 } })],
    "f1",
    0.8,
    "higher",
  );
  equal(
    await formatResult(target, "table", 2, {}),
    [
      "experiment   runs  runs_to_target  run       date                best",
      "acme/credit     2               2  run00100  2026-01-01 00:01  0.9000",
      "metric: f1",
      "target: 0.8000",
      "projects: 1",
      "reached: 1",
      "mean_runs_to_target: 2",
      "median_runs_to_target: 2",
    ].join("\n"),
  );
  equal(await formatResult({ ...target, rows: [] }, "table", 0, {}), "(no runs)");
});

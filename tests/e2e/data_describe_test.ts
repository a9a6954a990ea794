/**
 * `mlp data describe` and the artifact `mlp/data_summary.json` of a run (issue 8, item 6): the same
 * summary on both paths, checked against pandas on the same table, in a real template project.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { join } from "node:path";
import type { DataSummary } from "../../src/contract/data_summary.ts";
import { createProject } from "../support/project.ts";

Deno.test("mlp data describe summarizes each column and the target, as mlp run logs it", async () => {
  const project = await createProject({ rows: 2000 });
  const described = await project.mlp(["data", "describe", "--json"]);
  equal(described.code, 0, described.stderr);
  const summary = JSON.parse(described.stdout) as DataSummary;

  // The same numbers computed independently with pandas from the table.
  const expected = await project.python<{
    rows: number;
    columns: { name: string; dtype: string; missing: number; distinct: number }[];
    region: Record<string, number>;
    positives: number;
  }>(`
import glob, json, pandas
df = pandas.read_parquet(glob.glob("data/shadow/${project.datasetHash}/*.parquet")[0])
print(json.dumps({"rows": len(df),
    "columns": [{"name": c, "dtype": str(df[c].dtype), "missing": int(df[c].isna().sum()),
                 "distinct": int(df[c].nunique())} for c in df.columns],
    "region": {str(k): int(v) for k, v in df["region"].value_counts().items()},
    "positives": int((df["default"] == 1).sum())}))
`);
  equal(summary.dataset_hash, project.datasetHash);
  equal(summary.rows, 2000);
  deepEqual(
    summary.columns.map(({ name, dtype, missing, distinct }) => ({
      name,
      dtype,
      missing,
      distinct,
    })),
    expected.columns,
  );
  const income = summary.columns.find((c) => c.name === "income")!;
  equal(income.kind, "numeric");
  equal(income.missing_share, Math.round((income.missing / 2000) * 1e6) / 1e6);
  equal(income.values, undefined);
  const region = summary.columns.find((c) => c.name === "region")!;
  equal(region.kind, "categorical");
  deepEqual(
    Object.fromEntries(region.values!.map((v) => [v.value, v.count])),
    expected.region,
  );
  equal(region.values_truncated, false);
  deepEqual(summary.target, {
    column: "default",
    positive_class: 1,
    present: true,
    labelled_rows: 2000,
    positives: expected.positives,
    positive_rate: Math.round((expected.positives / 2000) * 1e6) / 1e6,
  });

  const text = await project.mlp(["data", "describe", project.datasetHash]);
  equal(text.code, 0, text.stderr);
  const lines = text.stdout.trimEnd().split("\n");
  equal(lines[0], `dataset ${project.datasetHash}: 2000 rows, ${expected.columns.length} columns`);
  match(lines[1], /^COLUMN +TYPE +MISSING +DISTINCT +VALUES$/);
  match(text.stdout, /^region +string +0 +\d+ +\w+ \(\d+\), /m);
  equal(
    lines.at(-1),
    `target default = 1: ${(summary.target!.positive_rate! * 100).toFixed(1)}% ` +
      `(${expected.positives} of 2000 labelled rows)`,
  );

  // mlp run logs the same summary, computed by the trainer from the bytes it trained on.
  await project.edit("configs/experiment.yaml", "n_splits: 5", "n_splits: 2");
  await project.git(["commit", "--quiet", "-am", "two folds"]);
  const run = await project.mlp(["run"]);
  equal(run.code, 0, run.stderr);
  const runId = run.stdout.trim().split("\n").at(-1)!;
  const logged = await project.python<DataSummary>(`
import json
from mlflow.tracking import MlflowClient
client = MlflowClient("sqlite:///${project.root}/mlflow.db")
print(json.dumps(json.load(open(client.download_artifacts("${runId}", "mlp/data_summary.json")))))
`);
  deepEqual(logged, summary);

  const bad = await project.mlp(["data", "describe", "0".repeat(64)]);
  equal(bad.code === 0, false);
  match(bad.stderr, new RegExp(`${"0".repeat(64)}`));
  await Deno.remove(join(project.root, ".."), { recursive: true });
});

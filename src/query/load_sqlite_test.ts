import { deepEqual, equal } from "node:assert/strict";
import { join, resolve } from "node:path";
import { MLFLOW_PYTHON } from "../tracking/testing.ts";
import { openSqliteQueryStore } from "./load_sqlite.ts";
import type { QueryField } from "./record.ts";
import { eligible } from "./select.ts";

const SCRIPT = resolve(import.meta.dirname!, "../../tests/support/query_store.py");
const ALL: QueryField[] = [
  "client",
  "project",
  "useCase",
  "category",
  "change",
  "modelType",
  "primaryMetric",
  "delta",
  "outcome",
  "commit",
];

Deno.test("a few runs' fields looked up equal the same runs' read in one pass", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mlp-load-sqlite-" });
  try {
    const db = join(dir, "mlflow.db");
    // 200 runs of 10 projects, written by the MLflow client (tests/support/query_store.py).
    const out = await new Deno.Command(MLFLOW_PYTHON, {
      args: [SCRIPT, "build", `sqlite:///${db}`, "200", "10", "3"],
      env: { MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true" },
      stdout: "null",
      stderr: "piped",
    }).output();
    equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const store = openSqliteQueryStore(db);
    try {
      const all = store.runs(["project"]);
      equal(all.length, 200);
      const counted = eligible(all).runs;
      // One project of ten: under LOOKUP_SHARE, so looked up; all of them: read in one pass.
      const few = counted.filter((run) => run.project === "project_03");
      const looked = store.complete(few, ALL, ["f1"]);
      const scanned = store.complete(counted, ALL, ["f1"])
        .filter((run) => run.project === "project_03");
      equal(looked.length, few.length);
      deepEqual(looked, scanned);
      for (const run of looked) {
        equal(run.client, "client_3");
        equal(run.useCase, "credit_risk");
        equal(run.sealed, true);
        equal(run.primaryMetric, "roc_auc");
        equal(typeof run.metrics.roc_auc, "number");
        equal(typeof run.metrics.f1, "number");
        equal(run.category !== null && run.modelType !== null && run.commit !== null, true);
      }
    } finally {
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

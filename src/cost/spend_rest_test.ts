import { deepEqual } from "node:assert/strict";
import { join } from "node:path";
import { openRestRunReader } from "../tracking/rest_reader.ts";
import { openSqliteRunReader } from "../tracking/sqlite_reader.ts";
import { startMlflowServer, writeMlflowRuns } from "../tracking/testing.ts";
import { readSpend } from "./spend.ts";

Deno.test("readSpend() reads the same agent runs from an MLflow server as from its SQLite file", async () => {
  const dir = await Deno.makeTempDir();
  const db = join(dir, "mlflow.db");
  const [flagged, , unavailable] = await writeMlflowRuns(`sqlite:///${db}`, [
    { params: { "agent.source": "flags", "agent.cost_usd": "1.25", "agent.tokens.total": "9" } },
    { params: { model_type: "xgboost" } },
    { params: { "agent.source": "unavailable" }, status: "FAILED" },
  ], "acme/churn");
  const sqlite = openSqliteRunReader(db);
  const server = await startMlflowServer(`sqlite:///${db}`);
  try {
    const fromFile = await readSpend(sqlite);
    deepEqual(fromFile.map((r) => [r.runId, r.source, r.costUsd, r.tokens, r.project]), [
      [flagged, "flags", 1.25, 9, "churn"],
      [unavailable, "unavailable", null, null, "churn"],
    ]);
    deepEqual(await readSpend(openRestRunReader(server.url, {})), fromFile);
  } finally {
    sqlite.close();
    await server.stop();
  }
  await Deno.remove(dir, { recursive: true });
});

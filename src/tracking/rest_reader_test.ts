import assert from "node:assert/strict";
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import { openRestRunReader } from "./rest_reader.ts";
import { openSqliteRunReader } from "./sqlite_reader.ts";
import { startMlflowServer, writeMlflowRuns } from "./testing.ts";

const COMMIT = "c".repeat(40);

Deno.test("openRestRunReader() reads the same records from an MLflow server as from its SQLite file", async () => {
  const dir = await Deno.makeTempDir();
  const db = join(dir, "mlflow.db");
  const [first, second] = await writeMlflowRuns(`sqlite:///${db}`, [
    {
      params: { git_commit: COMMIT, git_dirty: "false" },
      tags: { "mlp.config": "configs/experiment.yaml" },
      metrics: { roc_auc: 0.5 },
    },
    { params: { git_commit: COMMIT }, status: "KILLED" },
  ]);
  const sqlite = openSqliteRunReader(db);
  const server = await startMlflowServer(`sqlite:///${db}`);
  try {
    const rest = openRestRunReader(`${server.url}/`, {});
    assert.equal(rest.location, server.url);
    const fromRest = await rest.getRun(first);
    const fromFile = await sqlite.getRun(first);
    assert.deepEqual(fromRest, fromFile);
    assert.equal(await rest.getRun("0".repeat(32)), null);
    assert.deepEqual((await rest.findRunsByCommit(COMMIT)).map((r) => r.runId), [first, second]);
    assert.deepEqual(await rest.findRunsByCommit("d".repeat(40)), []);
  } finally {
    sqlite.close();
    await server.stop();
  }
  await assert.rejects(
    () => openRestRunReader(server.url, {}).getRun(first),
    (error: unknown) => {
      assert.ok(error instanceof CheckError);
      assert.equal(error.message, `Cannot reach the MLflow server at "${server.url}"`);
      return true;
    },
  );
  await Deno.remove(dir, { recursive: true });
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import { openRestRunReader } from "./rest_reader.ts";
import { openSqliteRunReader } from "./sqlite_reader.ts";
import { sealDigest } from "../contract/seal.ts";
import { storedSealRecord } from "./seal.ts";
import { startMlflowServer, TEST_EXPERIMENT, writeMlflowRuns } from "./testing.ts";

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
    assert.deepEqual((await rest.findFinishedRuns(TEST_EXPERIMENT)).map((r) => r.runId), [first]);
    assert.deepEqual(await rest.findFinishedRuns("other/project"), []);
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

Deno.test("a run's seal is recomputed the same from an MLflow server as from its SQLite file", async () => {
  const dir = await Deno.makeTempDir();
  const db = join(dir, "mlflow.db");
  const [runId] = await writeMlflowRuns(
    `sqlite:///${db}`,
    [{
      params: { git_commit: COMMIT },
      tags: { client_name: "acme", "mlflow.user": "someone" },
      metrics: { roc_auc: 0.75, log_loss: 0.25 },
      artifacts: { "mlp/plan.json": "{}\n", "model/code/features.py": "def f(): ...\n" },
    }],
    "client/project",
    join(dir, "artifacts"),
  );
  const sqlite = openSqliteRunReader(db);
  const server = await startMlflowServer(`sqlite:///${db}`);
  try {
    const rest = openRestRunReader(server.url, {});
    const fromFile = await storedSealRecord(sqlite, (await sqlite.getRun(runId))!);
    const fromRest = await storedSealRecord(rest, (await rest.getRun(runId))!);
    assert.deepEqual(fromRest, fromFile);
    assert.deepEqual(fromFile.metricHistory, { roc_auc: [0.75], log_loss: [0.25] });
    assert.deepEqual(Object.keys(fromFile.artifacts).sort(), [
      "mlp/plan.json",
      "model/code/features.py",
    ]);
    assert.equal(
      fromFile.artifacts["mlp/plan.json"],
      "ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356",
    );
    assert.equal(sealDigest(fromRest), sealDigest(fromFile));
    assert.deepEqual(
      new TextDecoder().decode((await rest.readArtifact(runId, "mlp/plan.json"))!),
      "{}\n",
    );
    assert.equal(await rest.readArtifact(runId, "mlp/none.json"), null);
  } finally {
    sqlite.close();
    await server.stop();
  }
  await Deno.remove(dir, { recursive: true });
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import { openRestRunReader } from "./rest_reader.ts";
import { openSqliteRunReader } from "./sqlite_reader.ts";
import { MLFLOW_PYTHON, writeMlflowRuns } from "./testing.ts";

const COMMIT = "c".repeat(40);

/** Starts a real `mlflow server` on the store and waits until it answers. */
async function startServer(db: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  // setsid: the server forks uvicorn workers; killing its process group stops them all.
  const child = new Deno.Command("setsid", {
    args: [
      MLFLOW_PYTHON,
      "-m",
      "mlflow",
      "server",
      "--backend-store-uri",
      `sqlite:///${db}`,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--workers",
      "1",
    ],
    stdout: "null",
    stderr: "piped",
    env: { MLFLOW_DISABLE_TELEMETRY: "true", MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false" },
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const url = `http://127.0.0.1:${port}`;
  let exited: Deno.CommandStatus | undefined;
  child.status.then((status) => exited = status);
  // No deadline: a loaded machine starts the server slowly, and a server that cannot start exits.
  while (true) {
    if (exited) throw new Error(`mlflow server exited ${exited.code}:\n${await stderr}`);
    try {
      const response = await fetch(`${url}/health`);
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    stop: async () => {
      Deno.kill(-child.pid, "SIGTERM");
      await Promise.all([child.status, stderr]);
    },
  };
}

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
  const server = await startServer(db);
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

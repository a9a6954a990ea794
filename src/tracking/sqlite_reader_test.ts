import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { CheckError, InputError } from "../errors.ts";
import { openRunReader } from "./reader.ts";
import { openSqliteRunReader } from "./sqlite_reader.ts";
import { TEST_EXPERIMENT, writeMlflowRuns } from "./testing.ts";

const COMMIT = "a".repeat(40);

Deno.test("openSqliteRunReader() reads runs that the MLflow client wrote", async (t) => {
  const dir = await Deno.makeTempDir();
  const db = join(dir, "mlflow.db");
  const [finished, failed, other] = await writeMlflowRuns(`sqlite:///${db}`, [
    {
      params: {
        git_commit: COMMIT,
        git_dirty: "false",
        "protected.split_strategy": "stratified_kfold",
      },
      tags: { "mlp.config": "configs/experiment.yaml" },
      metrics: { roc_auc: 0.75 },
    },
    { params: { git_commit: COMMIT }, status: "FAILED" },
    { params: { git_commit: "b".repeat(40) }, status: "RUNNING" },
  ]);
  const reader = openSqliteRunReader(db);
  try {
    await t.step("getRun() returns info, params, tags and metrics", async () => {
      const run = (await reader.getRun(finished))!;
      assert.equal(run.runId, finished);
      assert.equal(run.experimentId, "1");
      assert.equal(run.status, "FINISHED");
      assert.equal(run.lifecycleStage, "active");
      assert.equal(typeof run.startTime, "number");
      assert.equal(typeof run.endTime, "number");
      assert.deepEqual(run.params, {
        git_commit: COMMIT,
        git_dirty: "false",
        "protected.split_strategy": "stratified_kfold",
      });
      assert.equal(run.tags["mlp.config"], "configs/experiment.yaml");
      assert.deepEqual(run.metrics, { roc_auc: 0.75 });
    });
    await t.step("getRun() of a running run has no end time", async () => {
      const run = (await reader.getRun(other))!;
      assert.equal(run.status, "RUNNING");
      assert.equal(run.endTime, null);
    });
    await t.step("getRun() of an unknown ID is null", async () => {
      assert.equal(await reader.getRun("0".repeat(32)), null);
    });
    await t.step("findRunsByCommit() returns the runs at that commit, oldest first", async () => {
      const runs = await reader.findRunsByCommit(COMMIT);
      assert.deepEqual(runs.map((r) => [r.runId, r.status]), [
        [finished, "FINISHED"],
        [failed, "FAILED"],
      ]);
    });
    await t.step("findFinishedRuns() returns the experiment's FINISHED runs only", async () => {
      const runs = await reader.findFinishedRuns(TEST_EXPERIMENT);
      assert.deepEqual(runs.map((r) => r.runId), [finished]);
      assert.deepEqual(await reader.findFinishedRuns("other/project"), []);
    });
  } finally {
    reader.close();
  }
  const bytesBefore = await Deno.readFile(db);
  const viaUri = openRunReader("sqlite:///mlflow.db", dir);
  assert.equal((await viaUri.getRun(finished))?.status, "FINISHED");
  viaUri.close();
  assert.deepEqual(await Deno.readFile(db), bytesBefore);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("openSqliteRunReader() refuses a missing file and a database that is not MLflow's", async () => {
  const dir = await Deno.makeTempDir();
  assert.throws(() => openSqliteRunReader(join(dir, "mlflow.db")), (error: unknown) => {
    assert.ok(error instanceof CheckError);
    assert.equal(error.message, `No MLflow store at "${join(dir, "mlflow.db")}"`);
    return true;
  });
  await Deno.writeTextFile(join(dir, "notes.txt"), "hello");
  assert.throws(() => openSqliteRunReader(join(dir, "notes.txt")), CheckError);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("openRunReader() resolves sqlite URIs and refuses unsupported schemes", () => {
  assert.throws(
    () => openRunReader("sqlite:///mlflow.db", "/nonexistent/project"),
    (e: unknown) => {
      assert.ok(e instanceof CheckError);
      assert.equal(e.message, 'No MLflow store at "/nonexistent/project/mlflow.db"');
      return true;
    },
  );
  assert.throws(() => openRunReader(undefined, "/nonexistent/p"), /"\/nonexistent\/p\/mlflow.db"/);
  assert.throws(() => openRunReader("sqlite:////abs/store.db", "/x"), /"\/abs\/store.db"/);
  assert.throws(() => openRunReader("file:///tmp/mlruns", "/x"), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.message, 'MLFLOW_TRACKING_URI "file:///tmp/mlruns" is not a store mlp can read');
    return true;
  });
  assert.equal(openRunReader("http://localhost:5000/", "/x").location, "http://localhost:5000");
});

/**
 * Leaves `db` as a process killed mid-transaction leaves it: a hot journal beside the file, and
 * pages of the unfinished transaction (every run set FAILED) already written into it.
 */
async function killWriterMidTransaction(db: string): Promise<void> {
  const script = `
import os, signal, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA cache_size = 1")
c.execute("BEGIN IMMEDIATE")
c.execute("UPDATE runs SET status = 'FAILED'")
c.execute("CREATE TABLE spill (x)")
for _ in range(5000):
    c.execute("INSERT INTO spill VALUES (?)", ("x" * 200,))
os.kill(os.getpid(), signal.SIGKILL)
`;
  const status = await new Deno.Command("python3", { args: ["-c", script, db] }).output();
  assert.equal(status.signal, "SIGKILL");
}

Deno.test("openSqliteRunReader() reads a store whose writer was killed mid-transaction", async () => {
  const dir = await Deno.makeTempDir();
  const db = join(dir, "mlflow.db");
  const [finished] = await writeMlflowRuns(`sqlite:///${db}`, [{ params: { git_commit: COMMIT } }]);
  await killWriterMidTransaction(db);
  assert.ok((await Deno.stat(`${db}-journal`)).size > 0);

  const reader = openSqliteRunReader(db);
  try {
    assert.equal((await reader.getRun(finished))?.status, "FINISHED");
  } finally {
    reader.close();
  }
  // Rolled back as SQLite's own recovery does: the unfinished transaction left nothing behind.
  const check = new DatabaseSync(db, { readOnly: true });
  try {
    assert.equal(check.prepare("PRAGMA integrity_check").get()?.integrity_check, "ok");
    assert.equal(
      check.prepare("SELECT 1 FROM sqlite_master WHERE name = 'spill'").get(),
      undefined,
    );
  } finally {
    check.close();
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("openSqliteRunReader() explains a killed writer's journal it cannot roll back", async () => {
  const dir = await Deno.makeTempDir();
  const db = join(dir, "mlflow.db");
  await writeMlflowRuns(`sqlite:///${db}`, [{ params: { git_commit: COMMIT } }]);
  await killWriterMidTransaction(db);
  // Read-only as an auditor's copy may be: root writes through file modes, not an immutable file.
  const asRoot = Deno.uid() === 0;
  const readOnly = asRoot
    ? new Deno.Command("chattr", { args: ["+i", db] })
    : new Deno.Command("chmod", { args: ["a-w", db, dir] });
  assert.equal((await readOnly.output()).code, 0);
  try {
    assert.throws(() => openSqliteRunReader(db), (error: unknown) => {
      assert.ok(error instanceof CheckError);
      assert.equal(
        error.message,
        `"${db}" holds a transaction its writer did not finish (a process was killed while ` +
          "writing), and it cannot be rolled back here: the store is read-only",
      );
      return true;
    });
    assert.ok((await Deno.stat(`${db}-journal`)).size > 0, "the journal is kept");
  } finally {
    const writable = asRoot
      ? new Deno.Command("chattr", { args: ["-i", db] })
      : new Deno.Command("chmod", { args: ["u+w", db, dir] });
    await writable.output();
    await Deno.remove(dir, { recursive: true });
  }
});

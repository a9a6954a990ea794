/**
 * The store is created once, whole, under a lock (issue 6, item 3): a first run killed while the
 * store is being created leaves nothing half-made, eight runs started together on a new project
 * all finish, a store left half-created by an older mlp is repaired, and a store that cannot be
 * used is refused before anything is recorded or any project code runs.
 */
import { equal, match, ok } from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { createProject, MLP_ROOT, testEnv, type TestProject } from "../support/project.ts";
import { processesIn, waitUntil } from "../support/processes.ts";
import { Spawned } from "../support/spawned.ts";

const RUN_ID = /^[0-9a-f]{32}$/;
/** Project code that says it ran; a refused run must never print it. */
const LOUD_FEATURES = "\n\nimport sys as _sys\n_build = build_features\n\n" +
  "def build_features(df, params):\n" +
  "    print('test: features started', file=_sys.stderr, flush=True)\n" +
  "    return _build(df, params)\n";

function spawnMlp(project: TestProject, args: string[]): Spawned {
  return new Spawned(join(MLP_ROOT, "bin/mlp"), args, project.root, testEnv());
}

async function sha256(path: string): Promise<string> {
  return createHash("sha256").update(await Deno.readFile(path)).digest("hex");
}

Deno.test("a first run killed while the store is created leaves it usable", async () => {
  const project = await createProject({ rows: 600 });
  const run = spawnMlp(project, ["run"]);
  await run.waitFor(/Creating initial MLflow database tables/);
  for (const process of processesIn(project.root)) Deno.kill(process.pid, "SIGKILL");
  await run.status();
  await waitUntil(() => processesIn(project.root).length === 0, "the killed run's processes");
  const next = await project.mlp(["run"]);
  equal(next.code, 0, next.stderr);
  const runs = await project.runs();
  equal(runs.at(-1)?.status, "FINISHED");
  ok(runs.every((r) => r.status !== "RUNNING"), JSON.stringify(runs));
});

Deno.test("eight runs started at the same instant on a new project all end FINISHED", async () => {
  const project = await createProject({ rows: 600 });
  const runs = Array.from({ length: 8 }, () => spawnMlp(project, ["run"]));
  const statuses = await Promise.all(runs.map((run) => run.status()));
  for (const [i, status] of statuses.entries()) equal(status.code, 0, runs[i].stderr);
  // The run ID is the last line of stdout (the outcome line comes before it).
  const ids = await Promise.all(
    runs.map(async (run) => (await run.stdout).trim().split("\n").at(-1) ?? ""),
  );
  for (const id of ids) match(id, RUN_ID);
  const stored = await project.runs();
  equal(stored.length, 8);
  ok(stored.every((r) => r.status === "FINISHED"), JSON.stringify(stored));
});

Deno.test("the store: half-created repaired, corrupt or a directory refused before anything runs", async (t) => {
  const project = await createProject({ rows: 600 });
  await project.edit("src/features.py", /$/, LOUD_FEATURES);
  const db = join(project.root, "mlflow.db");

  await t.step("left half-created by an older mlp, holding no run: repaired", async () => {
    await project.python(`
from mlflow.store.db import utils
import sqlite3
engine = utils.create_sqlalchemy_engine("sqlite:///${db}")
utils._initialize_tables(engine)
engine.dispose()
with sqlite3.connect("${db}") as db:
    db.execute("DELETE FROM alembic_version")
print("null")
`);
    const out = await project.mlp(["run"]);
    equal(out.code, 0, out.stderr);
    match(
      out.stderr,
      /mlp: mlflow\.db could not be used \(its schema is incomplete \(it was left half-created\)\); it held no run, so it was moved to mlflow\.db-mlp-incomplete-\d{8}T\d{6} and created anew/,
    );
    equal((await project.runs()).at(-1)?.status, "FINISHED");
  });

  await t.step(
    "failing SQLite's integrity check: refused, unchanged, no project code ran",
    async () => {
      const rootPage = await project.python<number>(`
import sqlite3
print(sqlite3.connect("${db}").execute(
    "SELECT rootpage FROM sqlite_master WHERE name = 'index_params_run_uuid'").fetchone()[0])
`);
      const bytes = await Deno.readFile(db);
      const pageSize = (bytes[16] << 8) | bytes[17];
      bytes.fill(0xff, (rootPage - 1) * pageSize, rootPage * pageSize);
      await Deno.writeFile(db, bytes);
      const before = await sha256(db);
      const out = await project.mlp(["run"]);
      equal(out.code, 1, out.stderr);
      equal(out.stdout, "");
      match(
        out.stderr,
        /error: The MLflow store cannot be used: the MLflow store "mlflow\.db" fails SQLite's integrity check: /,
      );
      match(
        out.stderr,
        /hint: restore it from a backup \(mlp backup keeps verified copies\), or move it aside/,
      );
      ok(!out.stderr.includes("test: features started"), out.stderr);
      equal(await sha256(db), before);
      await Deno.remove(db);
    },
  );

  await t.step("a directory: refused at once, before the supervisor starts", async () => {
    await Deno.mkdir(db);
    const out = await project.mlp(["run"]);
    equal(out.code, 1, out.stderr);
    ok(
      out.stderr.includes(
        `error: The MLflow store "${db}" is a directory, not a SQLite file\n` +
          `hint: move it aside (mv "${db}" "${db}.dir") so mlp can create the store, or set ` +
          "MLFLOW_TRACKING_URI to the store that holds the runs; nothing was recorded\n",
      ),
      out.stderr,
    );
    ok(!out.stderr.includes("trainer:"), out.stderr);
    await Deno.remove(db);
  });
});

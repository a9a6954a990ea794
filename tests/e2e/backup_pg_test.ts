/**
 * `mlp backup` of a tracking server on PostgreSQL (issue 9, item 4, team scale): a pg_dump of the
 * server's database and its artifact root, restore-tested in a scratch database that is dropped
 * on every path; `mlp backup verify`; `mlp restore` into another database, refusing to replace
 * runs without --force. The database URL carries a password (trust auth ignores it), which must
 * appear in no output and no file of the backup.
 *
 * Needs PostgreSQL on 127.0.0.1:5432 with trust auth for user postgres (MLP_TEST_POSTGRES
 * overrides the server URL) and the server environment of scripts/server_env.sh.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { createProject, exec, MLP_ROOT } from "../support/project.ts";
import { type MlflowServer, startMlflowServer } from "../../src/tracking/testing.ts";
import { listTree } from "../../src/cas/tree.ts";

const POSTGRES = Deno.env.get("MLP_TEST_POSTGRES") ?? "postgresql://postgres@127.0.0.1:5432";
const SERVER_PYTHON = join(MLP_ROOT, ".cache/mlflow-server/bin/python");
/** A Python with MLflow but no PostgreSQL driver: the restore test cannot run with it. */
const DRIVERLESS_PYTHON = join(MLP_ROOT, ".cache/platform-env/.venv/bin/python");
const SECRET = "hunter2-never-shown";

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

/** Runs SQL on the server's `postgres` database and returns psql's unaligned rows. */
async function psql(sql: string, database = "postgres"): Promise<string[]> {
  const out = await exec(
    "psql",
    [`${POSTGRES}/${database}`, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
    "/",
  );
  if (out.code !== 0) throw new Error(`psql failed: ${out.stderr}`);
  return out.stdout.trim().split("\n").filter((line) => line !== "");
}

/** The databases whose names start with `prefix`. */
function databases(prefix: string): Promise<string[]> {
  return psql(`SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%' ORDER BY 1`);
}

/** `MLP_TEST_POSTGRES/<name>` with the password the test checks for. */
function withPassword(name: string): string {
  return `${POSTGRES.replace("://postgres@", `://postgres:${SECRET}@`)}/${name}`;
}

Deno.test("mlp backup of an MLflow server on PostgreSQL: dumped, restore-tested, restored", async (t) => {
  const suffix = crypto.randomUUID().replaceAll("-", "");
  const source = `mlp_test_${suffix}`;
  const restoredDb = `mlp_test_restored_${suffix}`;
  await psql(`CREATE DATABASE ${source}`);
  let server: MlflowServer | undefined;
  try {
    const project = await createProject({ rows: 1500 });
    const artifactRoot = join(project.root, "..", "server-artifacts");
    server = await startMlflowServer(`${POSTGRES}/${source}`, {
      python: SERVER_PYTHON,
      artifactsDir: artifactRoot,
    });
    const run = await project.mlp(["run"], { env: { MLFLOW_TRACKING_URI: server.url } });
    equal(run.code, 0, run.stderr);
    const runId = lastLine(run.stdout);
    const backups = await Deno.makeTempDir({ prefix: "mlp-backups-" });
    const env = {
      MLFLOW_TRACKING_URI: server.url,
      MLP_BACKUP_DATABASE_URL: withPassword(source),
      MLP_BACKUP_ARTIFACT_ROOT: artifactRoot,
      MLP_BACKUP_SERVER_PYTHON: SERVER_PYTHON,
    };
    const scratchBefore = await databases("mlp_restore_test_");

    let backup = "";
    await t.step("the dump and the artifact root, verified in a scratch database", async () => {
      const out = await project.mlp(["backup", "--to", backups], { env });
      equal(out.code, 0, out.stderr);
      backup = lastLine(out.stdout);
      match(backup, /\/mlp-backup-\d{8}T\d{6}Z$/);
      const verified = /^backup verified: 1 runs, (\d+) artifacts, /m.exec(out.stderr);
      ok(verified && Number(verified[1]) > 0, out.stderr);
      const manifest = await Deno.readTextFile(join(backup, "MANIFEST.sha256"));
      const paths = manifest.trim().split("\n").map((line) => line.slice(66));
      ok(paths.includes("tracking.pgdump"), manifest);
      ok(paths.includes("logs/protected_overrides.log"), manifest);
      ok(
        paths.some((p) =>
          new RegExp(`^artifacts/\\d+/${runId}/artifacts/mlp/seal\\.json$`).test(p)
        ),
        manifest,
      );
      equal(paths.includes("mlflow.db"), false);
      deepEqual(await databases("mlp_restore_test_"), scratchBefore);
      // The password is in no output and no file of the backup.
      ok(!out.stdout.includes(SECRET) && !out.stderr.includes(SECRET));
      for (const file of await listTree(backup)) {
        const bytes = await Deno.readFile(join(backup, file.path));
        ok(!new TextDecoder("latin1").decode(bytes).includes(SECRET), file.path);
      }
      const state = JSON.parse(
        await Deno.readTextFile(join(project.root, ".mlp/backup/last_verified.json")),
      );
      equal(state.dir, backup);
    });

    await t.step(
      "a restore test that fails removes the backup and drops its database",
      async () => {
        await new Promise((r) => setTimeout(r, 1100)); // backups are named by the second
        const out = await project.mlp(["backup", "--to", backups], {
          env: { ...env, MLP_BACKUP_SERVER_PYTHON: DRIVERLESS_PYTHON },
        });
        equal(out.code, 1, out.stderr);
        match(out.stderr, /^error: The restore test could not run: MLflow exited with code 1/m);
        ok(!out.stderr.includes(SECRET), out.stderr);
        deepEqual(await databases("mlp_restore_test_"), scratchBefore);
        const left = await Array.fromAsync(Deno.readDir(backups), (e) => e.name);
        deepEqual(left.filter((n) => !n.endsWith(".lock")), [backup.split("/").at(-1)]);
        const missing = await project.mlp(["backup", "--to", backups], {
          env: { ...env, MLP_BACKUP_ARTIFACT_ROOT: "" },
        });
        equal(missing.code, 2, missing.stderr);
        match(
          missing.stderr,
          /^error: MLP_BACKUP_DATABASE_URL is set but MLP_BACKUP_ARTIFACT_ROOT is not: /m,
        );
      },
    );

    await t.step(
      "mlp backup verify restore-tests it again; without a server it refuses",
      async () => {
        const out = await project.mlp(["backup", "verify", backup], { env });
        equal(out.code, 0, out.stderr);
        match(out.stdout, /^backup verified: 1 runs, \d+ artifacts, /);
        deepEqual(await databases("mlp_restore_test_"), scratchBefore);
        const none = await project.mlp(["backup", "verify", backup]);
        equal(none.code, 1);
        match(
          none.stderr,
          /^error: ".*" is the backup of a tracking server on PostgreSQL: its restore test needs a server$/m,
        );
      },
    );

    await t.step("mlp restore into another database, refusing to replace runs", async () => {
      const target = join(project.root, "..", "restored-artifacts");
      const args = ["restore", backup, "--artifact-root", target];
      const restoreEnv = { MLP_BACKUP_DATABASE_URL: withPassword(restoredDb) };
      const out = await project.mlp(args, { env: restoreEnv });
      equal(out.code, 0, out.stderr);
      const host = POSTGRES.replace(/^postgresql:\/\/[^@]*@/, "");
      equal(
        lastLine(out.stdout),
        `restored 1 runs (${
          (await Deno.readTextFile(join(backup, "MANIFEST.sha256"))).match(/ {2}artifacts\//g)!
            .length + 1
        } files) into postgresql://${host}/${restoredDb} and ${target}`,
      );
      deepEqual(await psql("SELECT run_uuid, status FROM runs", restoredDb), [
        `${runId}|FINISHED`,
      ]);
      const [experiment] = await psql(
        `SELECT experiment_id FROM runs WHERE run_uuid = '${runId}'`,
        restoredDb,
      );
      ok((await Deno.stat(join(target, experiment, runId, "artifacts/mlp/seal.json"))).isFile);
      const refused = await project.mlp(args, { env: restoreEnv });
      equal(refused.code, 1);
      match(
        refused.stderr,
        new RegExp(
          `^error: The database "${restoredDb}" holds 1 run; restoring would replace them$`,
          "m",
        ),
      );
      const forced = await project.mlp([...args, "--force"], { env: restoreEnv });
      equal(forced.code, 0, forced.stderr);
      match(
        forced.stderr,
        new RegExp(`the replaced database ${restoredDb}_replaced_\\d{8}t\\d{6}z was kept`),
      );
      match(forced.stderr, /the replaced .*restored-artifacts\.replaced-\d{8}t\d{6}z was kept/);
      equal((await databases(restoredDb)).length, 2);
      ok(!`${out.stdout}${out.stderr}${forced.stderr}`.includes(SECRET));
    });

    await t.step("an artifact removed from the backup makes verify fail, naming it", async () => {
      const manifest = await Deno.readTextFile(join(backup, "MANIFEST.sha256"));
      const seal = manifest.split("\n").map((l) => l.slice(66)).find((p) =>
        p.endsWith("seal.json")
      )!;
      await Deno.chmod(join(backup, seal, ".."), 0o755);
      await Deno.remove(join(backup, seal));
      const bad = await project.mlp(["backup", "verify", backup], { env });
      equal(bad.code, 1, bad.stderr);
      ok(bad.stderr.includes(`"${seal}" is missing`), bad.stderr);
    });
  } finally {
    await server?.stop();
    for (const name of [source, ...await databases(restoredDb)]) {
      await psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  }
});

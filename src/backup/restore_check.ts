/**
 * The restore test every backup passes before it is kept: the backup restored into a scratch
 * directory and read back through the official MLflow client by the platform Python
 * (`mlp_platform/restore_check.py`), run by run against the backup's own snapshot. A backup of a
 * tracking server on PostgreSQL is restored into a scratch database, created for the test under a
 * unique name and dropped after it, whatever the test found or however it failed.
 *
 * @module
 */
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import type { ManifestEntry } from "../cas/manifest.ts";
import { MANIFEST_NAME } from "../cas/manifest.ts";
import {
  parseEventLine,
  type RestoreCheckedEvent,
  restoreCheckedEventSchema,
} from "../contract/events.ts";
import { projectPaths } from "../project/paths.ts";
import { materializePlatform } from "../run/platform.ts";
import { spawnPlatformPython } from "../run/platform_python.ts";
import { redactUri } from "../tracking/redact.ts";
import { copyOut } from "./restore.ts";
import { PG_DUMP_FILE, STORE_FILE } from "./layout.ts";
import type { PgDatabase } from "./pg_url.ts";
import { createDatabase, dropDatabase, dumpData, restoreDump } from "./pg.ts";

/** The variable naming the Python of the tracking server's environment (MLflow + its driver). */
export const SERVER_PYTHON_VARIABLE = "MLP_BACKUP_SERVER_PYTHON";

/** How the restore test of a PostgreSQL backup reaches a server and MLflow. */
export interface ServerCheck {
  /** A database on the server where the scratch database is created (its name is not used). */
  database: PgDatabase;
  /** The Python of the tracking server's environment: MLflow with its PostgreSQL driver. */
  python: string;
}

/**
 * Restores the backup `dir` (whose files are `entries`) into a new scratch directory (and, for a
 * PostgreSQL backup, `server`, a new scratch database), compares it with the backup's snapshot
 * through MLflow, removes the scratch copies and returns what the comparison found.
 *
 * @param root The project whose locked environment runs the check of a SQLite backup.
 * @param scratchParent Where the scratch directory goes (the system's temporary folder by default):
 *   a new backup puts it in its own staging copy, so that a backup killed half-way leaves it where
 *   the next backup removes it.
 * @throws {CheckError} when the check could not run (uv missing, MLflow failing to open the copy,
 *   the scratch database refused)
 */
export async function checkRestore(
  dir: string,
  entries: readonly ManifestEntry[],
  root: string,
  scratchParent?: string,
  server?: ServerCheck,
): Promise<RestoreCheckedEvent> {
  const scratch = await Deno.makeTempDir({ dir: scratchParent, prefix: "mlp-restore-test-" });
  try {
    await copyOut(dir, entries, scratch);
    const platformDir = await materializePlatform(projectPaths(root).state);
    if (!server) {
      return await runCheck(spawnPlatformPython({
        root,
        platformDir,
        module: "restore_check",
        args: [join(dir, STORE_FILE), join(dir, MANIFEST_NAME)],
        cwd: scratch,
        env: { MLFLOW_TRACKING_URI: `sqlite:///${join(scratch, STORE_FILE)}` },
        // Never written: its end tells the check that mlp is gone (exit_when_stdin_closes).
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }));
    }
    const name = `mlp_restore_test_${crypto.randomUUID().replaceAll("-", "")}`;
    let created = false;
    try {
      const database = await createDatabase(server.database, name);
      created = true;
      await restoreDump(database, join(dir, PG_DUMP_FILE));
      const data = join(scratch, "snapshot-data.sql");
      await dumpData(database, join(dir, PG_DUMP_FILE), data);
      return await runCheck(spawnServerPython(server.python, platformDir, scratch, database, [
        "--postgres",
        data,
        join(dir, MANIFEST_NAME),
      ]));
    } finally {
      if (created) await dropDatabase(server.database, name);
    }
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}

/**
 * Starts the check with the tracking server's Python, the scratch database as MLflow's store.
 * Through `uv run --python`, which runs that interpreter with its own environment: mlp may start
 * uv and git only (bin/permissions.sh), not an interpreter named by a variable.
 */
function spawnServerPython(
  python: string,
  platformDir: string,
  cwd: string,
  database: PgDatabase,
  args: string[],
): Deno.ChildProcess {
  const env: Record<string, string> = {
    PYTHONPATH: platformDir,
    PYTHONUNBUFFERED: "1",
    // No credentials in the URI: libpq (psycopg) takes them from PGUSER / PGPASSWORD.
    MLFLOW_TRACKING_URI: database.uri,
    ...database.env,
  };
  if (!Deno.env.get("UV_PYTHON_DOWNLOADS")) env.UV_PYTHON_DOWNLOADS = "never";
  try {
    return new Deno.Command("uv", {
      args: [
        "run",
        "--quiet",
        "--no-project",
        "--python",
        python,
        "python",
        "-m",
        "mlp_platform.restore_check",
        ...args,
      ],
      cwd,
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new CheckError("Cannot run the restore test: `uv` is not on PATH", {
      hint: "install uv (https://docs.astral.sh/uv/); the backup was not kept",
    });
  }
}

/** Waits for the check and returns its `restore_checked` event. */
async function runCheck(child: Deno.ChildProcess): Promise<RestoreCheckedEvent> {
  const [stdout, stderr, status] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.status,
  ]);
  await child.stdin.close().catch(() => {});
  const event = stdout.split("\n").map((line) =>
    parseEventLine(restoreCheckedEventSchema, line, "restore_check")
  ).find((e) => e !== undefined);
  if (!status.success || !event) {
    throw new CheckError(
      `The restore test could not run: MLflow exited with code ${status.code} reading the restored copy`,
      {
        details: redactUri(stderr).trim().split("\n").slice(-5),
        hint: "check that `uv sync --locked` succeeds in the project (for a PostgreSQL backup: " +
          `that ${SERVER_PYTHON_VARIABLE} has MLflow and its PostgreSQL driver); the backup was not kept`,
      },
    );
  }
  return event;
}

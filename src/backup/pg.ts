/**
 * The PostgreSQL tools a backup of a tracking server runs: `pg_dump`, `pg_restore` and `psql`, on
 * the machine's PATH, with the database's credentials in their environment only (`pg_url.ts`).
 * Every message that quotes a tool's output is redacted: libpq prints connection URIs.
 *
 * @module
 */
import { CheckError } from "../errors.ts";
import { redactUri } from "../tracking/redact.ts";
import { otherDatabase, type PgDatabase, quoteIdentifier, versionProblem } from "./pg_url.ts";

/** The database every PostgreSQL server has, to create and drop others from. */
const MAINTENANCE_DATABASE = "postgres";

/** What a tool printed. */
interface ToolOutput {
  stdout: string;
  stderr: string;
}

/**
 * Runs a PostgreSQL tool against `database`'s server.
 *
 * @throws {CheckError} with `what` and the tool's (redacted) message when it fails or is missing
 */
async function tool(
  cmd: string,
  args: string[],
  database: PgDatabase,
  what: string,
): Promise<ToolOutput> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, {
      args,
      // PGCONNECT_TIMEOUT: a server that does not answer fails the backup instead of hanging it.
      env: { PGCONNECT_TIMEOUT: "30", ...database.env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new CheckError(`Cannot ${what}: \`${cmd}\` is not on PATH`, {
      hint: "install the PostgreSQL client tools of the server's major version " +
        "(Debian: apt-get install postgresql-client); nothing was written",
    });
  }
  const decoder = new TextDecoder();
  const result = { stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
  if (!out.success) {
    throw new CheckError(`Cannot ${what}: ${cmd} exited with code ${out.code}`, {
      details: redactUri(result.stderr).trim().split("\n").slice(-5),
      hint: "check that the server answers and that the user may read the database (and create " +
        "databases, for the restore test)",
    });
  }
  return result;
}

/** Runs one SQL statement with psql and returns its unaligned, tuples-only output. */
async function sql(database: PgDatabase, statement: string, what: string): Promise<string> {
  const args = ["--no-psqlrc", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", database.uri];
  const out = await tool("psql", [...args, "-c", statement], database, what);
  return out.stdout.trim();
}

/**
 * Checks that the machine's `pg_dump` can dump the server of `database` (its major version is at
 * least the server's) and returns both versions, e.g. `{ client: "15.20", server: "15.20" }`.
 *
 * @throws {CheckError} when it cannot, or either cannot be read
 */
export async function checkPgVersions(
  database: PgDatabase,
): Promise<{ client: string; server: string }> {
  const dump = await tool("pg_dump", ["--version"], database, "read pg_dump's version");
  const client = /\(PostgreSQL\) (\d+)(\.\d+)?/.exec(dump.stdout);
  const server = await sql(database, "SHOW server_version", "read the server's version");
  const serverMajor = /^(\d+)/.exec(server);
  if (!client || !serverMajor) {
    throw new CheckError(
      `Cannot read the versions of pg_dump ("${dump.stdout.trim()}") and the server ("${server}")`,
    );
  }
  const problem = versionProblem(Number(client[1]), Number(serverMajor[1]));
  if (problem) {
    throw new CheckError(`Cannot back up the tracking database: ${problem}`, {
      hint: `install the PostgreSQL ${serverMajor[1]} client tools and put them first on PATH; ` +
        "nothing was written",
    });
  }
  return { client: `${client[1]}${client[2] ?? ""}`, server: server.split(" ")[0] };
}

/** Writes a `pg_dump --format=custom` of `database` to `file` (one consistent snapshot). */
export async function dumpDatabase(database: PgDatabase, file: string): Promise<void> {
  await tool(
    "pg_dump",
    ["--format=custom", "--no-owner", "--no-privileges", "--file", file, "--dbname", database.uri],
    database,
    `dump the tracking database "${database.name}"`,
  );
}

/** Restores the dump `file` into the (empty) `database`; owners and grants are the restorer's. */
export async function restoreDump(database: PgDatabase, file: string): Promise<void> {
  await tool(
    "pg_restore",
    ["--exit-on-error", "--no-owner", "--no-privileges", "--dbname", database.uri, file],
    database,
    `restore the dump into the database "${database.name}"`,
  );
}

/**
 * The data of the MLflow tables a restore test compares, as `pg_restore --data-only` prints them
 * from the dump `file` (no database involved), written to `out`.
 */
export async function dumpData(database: PgDatabase, file: string, out: string): Promise<void> {
  const tables = ["runs", "params", "tags", "metrics"].flatMap((t) => ["--table", t]);
  await tool(
    "pg_restore",
    ["--data-only", ...tables, "--file", out, file],
    database,
    "read the dump",
  );
}

/** Whether a database `name` exists on the server of `database`. */
export async function databaseExists(database: PgDatabase, name: string): Promise<boolean> {
  const found = await sql(
    otherDatabase(database, MAINTENANCE_DATABASE),
    `SELECT 1 FROM pg_database WHERE datname = '${name.replaceAll("'", "''")}'`,
    "list the server's databases",
  );
  return found === "1";
}

/** Creates the empty database `name` on the server of `database` and returns it. */
export async function createDatabase(database: PgDatabase, name: string): Promise<PgDatabase> {
  await sql(
    otherDatabase(database, MAINTENANCE_DATABASE),
    `CREATE DATABASE ${quoteIdentifier(name)}`,
    `create the database "${name}"`,
  );
  return otherDatabase(database, name);
}

/** Drops the database `name` on the server of `database`, closing its connections. */
export async function dropDatabase(database: PgDatabase, name: string): Promise<void> {
  await sql(
    otherDatabase(database, MAINTENANCE_DATABASE),
    `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`,
    `drop the database "${name}"`,
  );
}

/** Renames the database `from` to `to` (it must have no connections). */
export async function renameDatabase(
  database: PgDatabase,
  from: string,
  to: string,
): Promise<void> {
  await sql(
    otherDatabase(database, MAINTENANCE_DATABASE),
    `ALTER DATABASE ${quoteIdentifier(from)} RENAME TO ${quoteIdentifier(to)}`,
    `move the database "${from}" aside (stop the tracking server that uses it first)`,
  );
}

/** The number of MLflow runs in `database`; 0 when it has no `runs` table (an empty database). */
export async function countPgRuns(database: PgDatabase): Promise<number> {
  const what = `count the runs in the database "${database.name}"`;
  const hasRuns = await sql(database, "SELECT to_regclass('runs') IS NOT NULL", what);
  if (hasRuns !== "t") return 0;
  return Number(await sql(database, "SELECT count(*) FROM runs", what));
}

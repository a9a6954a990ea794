/**
 * The PostgreSQL database of a tracking server, as `MLP_BACKUP_DATABASE_URL` names it, split into
 * what the PostgreSQL tools are given: a connection URI without credentials, which may appear in
 * arguments and messages, and the user name and password, which travel only as `PGUSER` and
 * `PGPASSWORD` in the tools' environment (an argument is visible to every user of the machine in
 * `ps`, and a message may be logged). Pure.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { redactUri } from "../tracking/redact.ts";

/** The variable that names the tracking server's database. */
export const DATABASE_URL_VARIABLE = "MLP_BACKUP_DATABASE_URL";

/** Query parameters that are credentials: moved to the environment with the user info. */
const CREDENTIAL_PARAMS = { user: "PGUSER", password: "PGPASSWORD" } as const;

/** A database on a PostgreSQL server. */
export interface PgDatabase {
  /** `postgresql://host:port/name?…`, no user name or password. */
  uri: string;
  /** The database's name. */
  name: string;
  /** `PGUSER` / `PGPASSWORD` for the tools' environment (empty without credentials). */
  env: Record<string, string>;
}

/**
 * Parses a database URL: `postgresql://` or `postgres://`, or SQLAlchemy's
 * `postgresql+<driver>://` (MLflow's `--backend-store-uri` form), with a database name.
 *
 * @throws {InputError} naming the variable and the (redacted) value when it is no such URL
 *
 * @example Usage
 * ```ts
 * import { parseDatabaseUrl } from "./pg_url.ts";
 * parseDatabaseUrl("postgresql+psycopg://ana:pw@db:5432/mlflow", "MLP_BACKUP_DATABASE_URL");
 * // => { uri: "postgresql://db:5432/mlflow", name: "mlflow", env: { PGUSER: "ana", PGPASSWORD: "pw" } }
 * ```
 */
export function parseDatabaseUrl(text: string, variable: string): PgDatabase {
  const problem = (why: string) =>
    new InputError(`${variable} "${redactUri(text)}" is not a PostgreSQL database URL: ${why}`, {
      hint: "name the tracking server's database, e.g. postgresql://mlflow@db.bank:5432/mlflow " +
        "(the server's --backend-store-uri)",
    });
  const scheme = /^(postgres|postgresql)(\+[a-z0-9_]+)?:\/\//i.exec(text);
  if (!scheme) return throwIt(problem("it must start with postgresql://"));
  let url: URL;
  try {
    url = new URL(`postgresql://${text.slice(scheme[0].length)}`);
  } catch {
    return throwIt(problem("it is not a valid URL"));
  }
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (name === "" || name.includes("/")) return throwIt(problem("it names no database"));
  const env: Record<string, string> = {};
  if (url.username !== "") env.PGUSER = decodeURIComponent(url.username);
  if (url.password !== "") env.PGPASSWORD = decodeURIComponent(url.password);
  for (const [param, variableName] of Object.entries(CREDENTIAL_PARAMS)) {
    const value = url.searchParams.get(param);
    if (value !== null) env[variableName] = value;
    url.searchParams.delete(param);
  }
  url.username = "";
  url.password = "";
  return { uri: url.toString(), name, env };
}

function throwIt(error: Error): never {
  throw error;
}

/** The database `name` on the same server, with the same credentials. */
export function otherDatabase(database: PgDatabase, name: string): PgDatabase {
  const url = new URL(database.uri);
  url.pathname = `/${encodeURIComponent(name)}`;
  return { uri: url.toString(), name, env: database.env };
}

/** `name` quoted as an SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Why a dump of a server with major version `server` by a `pg_dump` of major version `client`
 * cannot be trusted, or `undefined` when it can: pg_dump reads servers up to its own major
 * version only, and a dump restores only with a pg_restore at least as new.
 */
export function versionProblem(client: number, server: number): string | undefined {
  if (client >= server) return undefined;
  return `pg_dump is version ${client}, the server ${server}: pg_dump cannot dump a newer server`;
}

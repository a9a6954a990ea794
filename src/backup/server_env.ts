/**
 * The tracking server a backup is of, as the operator's environment names it:
 * `MLP_BACKUP_DATABASE_URL` (its PostgreSQL database), `MLP_BACKUP_ARTIFACT_ROOT` (the folder it
 * keeps artifacts in, its `--artifacts-destination`: the client never learns it from the server)
 * and `MLP_BACKUP_SERVER_PYTHON` (the Python of its environment, which has MLflow and the
 * PostgreSQL driver a client project's does not). Pure: it reads the variables it is given.
 *
 * @module
 */
import { resolve } from "node:path";
import { InputError } from "../errors.ts";
import { DATABASE_URL_VARIABLE, parseDatabaseUrl } from "./pg_url.ts";
import { SERVER_PYTHON_VARIABLE, type ServerCheck } from "./restore_check.ts";
import { ARTIFACT_ROOT_VARIABLE, type ServerSource } from "./take.ts";

function required(env: Record<string, string | undefined>, name: string, why: string): string {
  const value = env[name];
  if (value) return value;
  throw new InputError(`${DATABASE_URL_VARIABLE} is set but ${name} is not: ${why}`, {
    hint: `set ${name}, or unset ${DATABASE_URL_VARIABLE} to back up the project's own mlflow.db`,
  });
}

/**
 * The server the restore test of a tracking server's backup runs on, or `undefined` when
 * `MLP_BACKUP_DATABASE_URL` is not set.
 *
 * @throws {InputError} when the URL is not a PostgreSQL database's, or the Python is not named
 */
export function serverCheckFromEnv(
  env: Record<string, string | undefined>,
): ServerCheck | undefined {
  const url = env[DATABASE_URL_VARIABLE];
  if (!url) return undefined;
  const database = parseDatabaseUrl(url, DATABASE_URL_VARIABLE);
  const python = required(
    env,
    SERVER_PYTHON_VARIABLE,
    "the restore test reads the restored database with the tracking server's MLflow and its " +
      "PostgreSQL driver",
  );
  return { database, python };
}

/**
 * The tracking server to back up, or `undefined` when `MLP_BACKUP_DATABASE_URL` is not set (the
 * project's own store is backed up then). A relative artifact root is relative to `cwd`.
 *
 * @throws {InputError} as {@linkcode serverCheckFromEnv}, and when the artifact root is not named
 */
export function serverSourceFromEnv(
  env: Record<string, string | undefined>,
  cwd: string,
): ServerSource | undefined {
  const check = serverCheckFromEnv(env);
  if (!check) return undefined;
  const root = required(
    env,
    ARTIFACT_ROOT_VARIABLE,
    "a backup of the tracking server holds its artifacts too (the folder of its " +
      "--artifacts-destination)",
  );
  return { ...check, artifactRoot: resolve(cwd, root) };
}

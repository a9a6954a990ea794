/**
 * Chooses how to read MLflow runs from the tracking URI: the SQLite file directly (read-only) or
 * the server's REST API.
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import { InputError } from "../errors.ts";
import { redactUri } from "./redact.ts";
import type { RunReader } from "./run_record.ts";
import { openRestRunReader } from "./rest_reader.ts";
import { openSqliteRunReader } from "./sqlite_reader.ts";

/** The kinds of MLflow store mlp records to and reads from. */
export type StoreKind = "sqlite" | "server";

/**
 * Which kind of store a tracking URI names: `sqlite:///…` a SQLite file, `http(s)://…` an MLflow
 * tracking server (at team scale, backed by PostgreSQL).
 *
 * @throws {InputError} for any other scheme (a database URL, a file store): MLflow could record
 * runs there, but the merge gate could not read them, so no run there could prove a merge.
 */
export function storeKind(uri: string): StoreKind {
  if (uri.startsWith("sqlite:///")) return "sqlite";
  if (/^https?:\/\//.test(uri)) return "server";
  throw new InputError(`MLFLOW_TRACKING_URI "${redactUri(uri)}" is not a store mlp can read`, {
    hint: "use sqlite:///mlflow.db (relative to the project root), sqlite:////absolute/path.db, " +
      "or http(s)://server:port for an MLflow tracking server (a PostgreSQL store is reached " +
      "through its server)",
  });
}

/**
 * Opens a run reader for `trackingUri` (normally MLFLOW_TRACKING_URI): unset means the project's
 * `sqlite:///<root>/mlflow.db`; `sqlite:///rel/path` is relative to the project root (the
 * directory `mlp run` starts MLflow in), `sqlite:////abs/path` absolute; `http(s)://…` a server.
 *
 * @throws {InputError} for any other scheme.
 */
export function openRunReader(
  trackingUri: string | undefined,
  root: string,
  env: Record<string, string | undefined> = {},
): RunReader {
  const path = storeFilePath(trackingUri, root);
  if (path === null) return openRestRunReader(trackingUri!.trim(), env);
  return openSqliteRunReader(path, root);
}

/**
 * The SQLite file `trackingUri` names (as {@linkcode openRunReader} resolves it), or `null` for a
 * tracking server.
 *
 * @throws {InputError} for a scheme mlp cannot read.
 */
export function storeFilePath(trackingUri: string | undefined, root: string): string | null {
  const uri = trackingUri?.trim() || `sqlite:///${join(root, "mlflow.db")}`;
  if (storeKind(uri) === "server") return null;
  const path = uri.slice("sqlite:///".length).split("?")[0];
  return isAbsolute(path) ? path : join(root, path);
}

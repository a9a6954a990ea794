/**
 * Chooses how to read MLflow runs from the tracking URI: the SQLite file directly (read-only) or
 * the server's REST API.
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import { InputError } from "../errors.ts";
import type { RunReader } from "./run_record.ts";
import { openRestRunReader } from "./rest_reader.ts";
import { openSqliteRunReader } from "./sqlite_reader.ts";

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
  const uri = trackingUri?.trim() || `sqlite:///${join(root, "mlflow.db")}`;
  if (uri.startsWith("sqlite:///")) {
    const path = uri.slice("sqlite:///".length).split("?")[0];
    return openSqliteRunReader(isAbsolute(path) ? path : join(root, path));
  }
  if (/^https?:\/\//.test(uri)) return openRestRunReader(uri, env);
  throw new InputError(`MLFLOW_TRACKING_URI "${uri}" is not a store mlp can read`, {
    hint: "use sqlite:///mlflow.db (relative to the project root), sqlite:////absolute/path.db, " +
      "or http(s)://server:port for an MLflow tracking server",
  });
}

/**
 * The SQLite file of a tracking URI, and the one check mlp makes on it before anything starts:
 * the supervisor prepares the store under a lock (src/python/mlp_platform/store.py), but a
 * directory in its place is refused at once (MLflow would retry opening it for two minutes).
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import { CheckError } from "../errors.ts";

/** The database file of a `sqlite:///` URI (relative to the project root), else `null`. */
export function sqliteFile(root: string, uri: string): string | null {
  if (!uri.startsWith("sqlite:///")) return null;
  const path = uri.slice("sqlite:///".length).split("?")[0];
  return isAbsolute(path) ? path : join(root, path);
}

/**
 * Refuses a SQLite store path that is a directory.
 *
 * @throws {CheckError} naming the path and the fix
 */
export async function refuseUnusableStoreFile(root: string, uri: string): Promise<void> {
  const file = sqliteFile(root, uri);
  if (!file) return;
  try {
    if (!(await Deno.stat(file)).isDirectory) return;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  throw new CheckError(`The MLflow store "${file}" is a directory, not a SQLite file`, {
    hint: `move it aside (mv "${file}" "${file}.dir") so mlp can create the store, or set ` +
      "MLFLOW_TRACKING_URI to the store that holds the runs; nothing was recorded",
  });
}

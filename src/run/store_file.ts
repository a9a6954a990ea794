/**
 * The SQLite file of a tracking URI, and the one check mlp makes on it before anything starts:
 * the supervisor prepares the store under a lock (src/python/mlp_platform/store.py), but a
 * directory in its place is refused at once (MLflow would retry opening it for two minutes).
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { basename, isAbsolute, join } from "node:path";
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

/**
 * The refusal for a store that SQLite found damaged while mlp read it before the supervisor's own
 * checks (choosing the run's baseline): when `error` is SQLite's and the file fails SQLite's
 * integrity check, the same refusal the supervisor gives (mlp_platform/store.py), so that a
 * corrupt store is refused with its fix before anything runs; any other error is returned as it is.
 */
export function corruptStoreRefusal(root: string, uri: string, error: unknown): unknown {
  const file = sqliteFile(root, uri);
  if (!file || (error as { code?: string } | null)?.code !== "ERR_SQLITE_ERROR") return error;
  let problems: string[];
  try {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const rows = db.prepare("PRAGMA integrity_check").all() as Record<string, unknown>[];
      problems = rows.map((row) => String(Object.values(row)[0]));
    } finally {
      db.close();
    }
  } catch (checkError) {
    problems = [String((checkError as Error).message ?? checkError)];
  }
  if (problems.length === 1 && problems[0] === "ok") return error;
  const name = basename(file);
  return new CheckError(
    `The MLflow store cannot be used: the MLflow store "${name}" fails SQLite's integrity check: ${
      problems.slice(0, 3).join("; ")
    }`,
    {
      cause: error,
      hint: `restore it from a backup (mlp backup keeps verified copies), or move it aside (mv ` +
        `"${name}" "${name}.broken") to start a new store; nothing was recorded`,
    },
  );
}

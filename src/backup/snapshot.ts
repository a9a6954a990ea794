/**
 * A consistent copy of a SQLite MLflow store taken while runs may be writing to it.
 *
 * SQLite's online backup (`node:sqlite`'s `backup()`) copies the database's pages under a read
 * lock: what it holds is the store as it was at one instant, never a record torn between two
 * writes, which a file copy taken during a commit can be. All pages are copied in one step, so a
 * writer's commit cannot restart it half-way; the read lock it takes lasts milliseconds for a
 * store of a few MB, shorter than any writer's busy timeout. (`VACUUM INTO` would do the same, but
 * it works through ATTACH, which Deno's SQLite refuses without --allow-all.)
 *
 * @module
 */
import { backup, DatabaseSync } from "node:sqlite";
import { CheckError } from "../errors.ts";
import { rollBackUnfinishedTransaction } from "../tracking/sqlite_reader.ts";

/** How long the snapshot waits for a writer's commit to finish before it gives up. */
const BUSY_TIMEOUT_MS = 30_000;
/** Pages per backup step: all of them, so that the copy is taken in one read transaction. */
const ALL_PAGES = 2 ** 31 - 1;

/**
 * Writes a consistent snapshot of the SQLite store `source` to `destination` (which must not
 * exist) and returns the number of runs it holds.
 *
 * @throws {CheckError} when the store cannot be read (not a SQLite file, locked beyond the
 *   timeout, a hot journal on a read-only folder) or has no MLflow `runs` table
 */
export async function snapshotStore(source: string, destination: string): Promise<number> {
  rollBackUnfinishedTransaction(source);
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(source, { readOnly: true });
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (;;) {
      try {
        await backup(db, destination, { rate: ALL_PAGES });
        break;
      } catch (error) {
        // A writer in the middle of its commit holds the file exclusively for a moment.
        if (!/locked|busy/i.test(String(error)) || Date.now() > deadline) throw error;
        await Deno.remove(destination).catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } catch (error) {
    throw new CheckError(`Cannot take a snapshot of the MLflow store "${source}"`, {
      cause: error,
      details: [String((error as Error).message ?? error)],
      hint: "check that it is the project's SQLite store (`mlp runs repair` opens it) and that " +
        "no process holds it locked for longer than 30 s; nothing was written",
    });
  } finally {
    db?.close();
  }
  const copy = new DatabaseSync(destination, { readOnly: true });
  try {
    const row = copy.prepare("SELECT count(*) AS n FROM runs").get() as { n: number | bigint };
    return Number(row.n);
  } catch (error) {
    throw new CheckError(`"${source}" is a SQLite file but not an MLflow store (no runs table)`, {
      cause: error,
      hint: "point MLFLOW_TRACKING_URI at the store that holds the runs; nothing was written",
    });
  } finally {
    copy.close();
  }
}

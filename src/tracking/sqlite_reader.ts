/**
 * Reads runs straight from an MLflow SQLite store, read-only. The hooks need a run in well under
 * a second: starting Python and importing MLflow costs seconds, and the seven core tables
 * (runs, params, tags, latest_metrics, …) have kept their column names since 2019-2022
 * (research/mlflow.md §1.2). Only those columns are read.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CheckError } from "../errors.ts";
import { hashFile } from "../cas/hash_file.ts";
import type { MetricPoint, RunReader, RunRecord } from "./run_record.ts";

interface RunRow {
  run_uuid: string;
  experiment_id: number | bigint;
  status: string | null;
  lifecycle_stage: string | null;
  start_time: number | bigint | null;
  end_time: number | bigint | null;
}

/**
 * Rolls back what a writer killed mid-transaction (`kill -9` of a supervisor while MLflow wrote)
 * left in the store's rollback journal, as SQLite itself does when the next writer opens the
 * file. A read-only connection cannot: it fails with "attempt to write a readonly database", so
 * every reader would take the store for broken. Rolling back restores the last committed state
 * and nothing else; a journal of a writer still at work is left alone (SQLite sees its lock).
 *
 * @throws {CheckError} when the journal is there and the store cannot be written here.
 */
export function rollBackUnfinishedTransaction(path: string): void {
  try {
    if (Deno.statSync(`${path}-journal`).size === 0) return;
  } catch {
    return;
  }
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path);
    db.exec("PRAGMA busy_timeout = 10000");
    db.prepare("PRAGMA schema_version").get();
  } catch (error) {
    throw new CheckError(
      `"${path}" holds a transaction its writer did not finish (a process was killed while ` +
        "writing), and it cannot be rolled back here: the store is read-only",
      {
        cause: error,
        hint: "run any mlp command (`mlp runs repair`) once where the store and its folder are " +
          `writable, which rolls it back, or copy "${path}" together with "${path}-journal" to ` +
          "a writable folder and read the copy",
      },
    );
  } finally {
    db?.close();
  }
}

/**
 * Opens the SQLite store at `path` read-only, first rolling back a transaction a killed writer
 * left unfinished. A run's relative artifact location (`mlartifacts/…`, as mlp sets it) lies in
 * `projectRoot`, the directory `mlp run` starts MLflow in (by default the store's folder).
 *
 * @throws {CheckError} when the file does not exist or is not an MLflow store, or holds an
 * unfinished transaction that cannot be rolled back.
 */
export function openSqliteRunReader(path: string, projectRoot = dirname(path)): RunReader {
  try {
    Deno.statSync(path);
  } catch {
    throw new CheckError(`No MLflow store at "${path}"`, {
      hint: "run `mlp run` first (it creates the store), or set MLFLOW_TRACKING_URI to the store " +
        "that holds the runs",
    });
  }
  rollBackUnfinishedTransaction(path);
  const db = new DatabaseSync(path, { readOnly: true });
  let hasRuns: unknown;
  try {
    hasRuns = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'")
      .get();
  } catch (error) {
    db.close();
    throw new CheckError(`"${path}" is not a SQLite database`, {
      cause: error,
      hint: "point MLFLOW_TRACKING_URI at the MLflow store (sqlite:///path/to/mlflow.db)",
    });
  }
  if (!hasRuns) {
    db.close();
    throw new CheckError(`"${path}" is not an MLflow tracking store: it has no "runs" table`, {
      hint: "point MLFLOW_TRACKING_URI at the MLflow store (sqlite:///path/to/mlflow.db)",
    });
  }
  const runById = db.prepare(
    "SELECT run_uuid, experiment_id, status, lifecycle_stage, start_time, end_time " +
      "FROM runs WHERE run_uuid = ?",
  );
  const runsByCommit = db.prepare(
    "SELECT r.run_uuid, r.experiment_id, r.status, r.lifecycle_stage, r.start_time, r.end_time " +
      "FROM runs r JOIN params p ON p.run_uuid = r.run_uuid " +
      "WHERE p.key = 'git_commit' AND p.value = ? ORDER BY r.start_time, r.run_uuid",
  );
  const runsWithParam = db.prepare(
    "SELECT r.run_uuid, r.experiment_id, r.status, r.lifecycle_stage, r.start_time, r.end_time " +
      "FROM runs r JOIN params p ON p.run_uuid = r.run_uuid " +
      "WHERE p.key = ? ORDER BY r.start_time, r.run_uuid",
  );
  const finishedOf = db.prepare(
    "SELECT r.run_uuid, r.experiment_id, r.status, r.lifecycle_stage, r.start_time, r.end_time " +
      "FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id " +
      "WHERE e.name = ? AND r.status = 'FINISHED' AND r.lifecycle_stage = 'active' " +
      "ORDER BY r.start_time, r.run_uuid",
  );
  const running = db.prepare(
    "SELECT run_uuid, experiment_id, status, lifecycle_stage, start_time, end_time FROM runs " +
      "WHERE status = 'RUNNING' AND lifecycle_stage = 'active' ORDER BY start_time, run_uuid",
  );
  const params = db.prepare("SELECT key, value FROM params WHERE run_uuid = ?");
  const tags = db.prepare("SELECT key, value FROM tags WHERE run_uuid = ?");
  const metrics = db.prepare(
    "SELECT key, value, is_nan FROM latest_metrics WHERE run_uuid = ?",
  );
  const history = db.prepare(
    "SELECT key, value, is_nan, step, timestamp FROM metrics WHERE run_uuid = ?",
  );
  const experimentName = db.prepare("SELECT name FROM experiments WHERE experiment_id = ?");
  const artifactUri = db.prepare("SELECT artifact_uri FROM runs WHERE run_uuid = ?");

  /** The run's artifact folder on this machine. */
  function artifactDir(runId: string): string {
    const row = artifactUri.get(runId) as { artifact_uri: string | null } | undefined;
    const uri = row?.artifact_uri ?? "";
    if (uri.startsWith("file://")) return fileURLToPath(uri);
    if (uri === "" || /^[a-z][a-z0-9+.-]*:/i.test(uri)) {
      throw new CheckError(
        `Run ${runId}'s artifacts are at "${uri}", which mlp cannot read from a SQLite store`,
        { hint: "a SQLite store's runs keep their artifacts in the project (mlartifacts/)" },
      );
    }
    return isAbsolute(uri) ? uri : join(projectRoot, uri);
  }

  function record(row: RunRow): RunRecord {
    const toMap = (rows: Record<string, unknown>[]) =>
      Object.fromEntries(rows.map((r) => [String(r.key), String(r.value ?? "")]));
    return {
      runId: row.run_uuid,
      experimentId: String(row.experiment_id),
      status: row.status ?? "",
      lifecycleStage: row.lifecycle_stage ?? "active",
      startTime: row.start_time === null ? null : Number(row.start_time),
      endTime: row.end_time === null ? null : Number(row.end_time),
      params: toMap(params.all(row.run_uuid)),
      tags: toMap(tags.all(row.run_uuid)),
      // MLflow stores NaN as value 0 with is_nan set.
      metrics: Object.fromEntries(
        metrics.all(row.run_uuid).map((r) => [String(r.key), r.is_nan ? NaN : Number(r.value)]),
      ),
    };
  }

  return {
    location: path,
    getRun(runId: string): Promise<RunRecord | null> {
      const row = runById.get(runId) as RunRow | undefined;
      return Promise.resolve(row ? record(row) : null);
    },
    getExperimentName(experimentId: string): Promise<string | null> {
      const row = experimentName.get(experimentId) as { name: string } | undefined;
      return Promise.resolve(row ? String(row.name) : null);
    },
    findRunsByCommit(commit: string): Promise<RunRecord[]> {
      return Promise.resolve((runsByCommit.all(commit) as unknown as RunRow[]).map(record));
    },
    findRunsWithParam(key: string): Promise<RunRecord[]> {
      return Promise.resolve((runsWithParam.all(key) as unknown as RunRow[]).map(record));
    },
    findFinishedRuns(experimentName: string): Promise<RunRecord[]> {
      return Promise.resolve((finishedOf.all(experimentName) as unknown as RunRow[]).map(record));
    },
    findRunning(): Promise<RunRecord[]> {
      return Promise.resolve((running.all() as unknown as RunRow[]).map(record));
    },
    getMetricHistory(runId: string): Promise<Record<string, MetricPoint[]>> {
      const points: Record<string, MetricPoint[]> = {};
      for (const row of history.all(runId)) {
        (points[String(row.key)] ??= []).push({
          value: row.is_nan ? NaN : Number(row.value),
          step: Number(row.step),
          timestamp: Number(row.timestamp),
        });
      }
      return Promise.resolve(points);
    },
    async hashArtifacts(runId: string): Promise<Record<string, string>> {
      const root = artifactDir(runId);
      const hashes: Record<string, string> = {};
      async function walk(dir: string, prefix: string): Promise<void> {
        let entries: Deno.DirEntry[];
        try {
          entries = [...Deno.readDirSync(dir)];
        } catch (error) {
          if (error instanceof Deno.errors.NotFound && prefix === "") return;
          throw new CheckError(`Cannot read the artifacts of run ${runId} in "${dir}"`, {
            cause: error,
            hint: "the run's artifacts must be readable to check its seal",
          });
        }
        for (const entry of entries) {
          const path = prefix ? `${prefix}/${entry.name}` : entry.name;
          if (entry.isDirectory) await walk(join(dir, entry.name), path);
          // A symlink is hashed as what it points to, as MLflow would serve it.
          else hashes[path] = await hashFile(join(dir, entry.name));
        }
      }
      await walk(root, "");
      return hashes;
    },
    async readArtifact(runId: string, path: string): Promise<Uint8Array | null> {
      try {
        return await Deno.readFile(join(artifactDir(runId), path));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return null;
        throw error;
      }
    },
    close(): void {
      db.close();
    },
  };
}

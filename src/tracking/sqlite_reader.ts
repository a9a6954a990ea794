/**
 * Reads runs straight from an MLflow SQLite store, read-only. The hooks need a run in well under
 * a second: starting Python and importing MLflow costs seconds, and the seven core tables
 * (runs, params, tags, latest_metrics, …) have kept their column names since 2019-2022
 * (research/mlflow.md §1.2). Only those columns are read.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { CheckError } from "../errors.ts";
import type { RunReader, RunRecord } from "./run_record.ts";

interface RunRow {
  run_uuid: string;
  experiment_id: number | bigint;
  status: string | null;
  lifecycle_stage: string | null;
  start_time: number | bigint | null;
  end_time: number | bigint | null;
}

/**
 * Opens the SQLite store at `path` read-only.
 *
 * @throws {CheckError} when the file does not exist or is not an MLflow store.
 */
export function openSqliteRunReader(path: string): RunReader {
  try {
    Deno.statSync(path);
  } catch {
    throw new CheckError(`No MLflow store at "${path}"`, {
      hint: "run `mlp run` first (it creates the store), or set MLFLOW_TRACKING_URI to the store " +
        "that holds the runs",
    });
  }
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
  const running = db.prepare(
    "SELECT run_uuid, experiment_id, status, lifecycle_stage, start_time, end_time FROM runs " +
      "WHERE status = 'RUNNING' AND lifecycle_stage = 'active' ORDER BY start_time, run_uuid",
  );
  const params = db.prepare("SELECT key, value FROM params WHERE run_uuid = ?");
  const tags = db.prepare("SELECT key, value FROM tags WHERE run_uuid = ?");
  const metrics = db.prepare(
    "SELECT key, value, is_nan FROM latest_metrics WHERE run_uuid = ?",
  );

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
    findRunsByCommit(commit: string): Promise<RunRecord[]> {
      return Promise.resolve((runsByCommit.all(commit) as unknown as RunRow[]).map(record));
    },
    findRunning(): Promise<RunRecord[]> {
      return Promise.resolve((running.all() as unknown as RunRow[]).map(record));
    },
    close(): void {
      db.close();
    },
  };
}

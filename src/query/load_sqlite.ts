/**
 * Loads the runs of an MLflow SQLite store for `mlp query`, read-only, in four statements: the
 * runs with their experiment names, then only the params, tags and latest metrics the queries use
 * (`WHERE key IN …`, which MLflow's `(key, run_uuid)` primary keys answer from the index). The
 * store is opened as `openSqliteRunReader` opens it (a killed writer's journal rolled back first,
 * a file that is not an MLflow store refused), so both see the same runs.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { openSqliteRunReader } from "../tracking/sqlite_reader.ts";
import { DELTA_METRIC, QUERY_PARAMS, QUERY_TAGS, type QueryRun, toQueryRun } from "./record.ts";

interface KeyValue {
  run_uuid: string;
  key: string;
  value: unknown;
  is_nan?: number | bigint;
}

/**
 * Every run of the SQLite store at `path` (deleted ones too: the caller says why they are left
 * out), with the primary metric of each and the `extraMetrics` asked for.
 *
 * @throws {CheckError} when the file does not exist or is not an MLflow store.
 */
export function loadSqliteRuns(path: string, extraMetrics: readonly string[] = []): QueryRun[] {
  // The reader's checks (the file exists, is an MLflow store, has no unfinished transaction).
  openSqliteRunReader(path).close();
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const runs = db.prepare(
      "SELECT r.run_uuid, r.status, r.lifecycle_stage, r.start_time, e.name " +
        "FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id",
    ).all() as unknown as {
      run_uuid: string;
      status: string | null;
      lifecycle_stage: string | null;
      start_time: number | bigint | null;
      name: string;
    }[];
    const byKeys = (table: string, keys: readonly string[], extra = ""): KeyValue[] =>
      keys.length === 0 ? [] : db.prepare(
        `SELECT run_uuid, key, value${extra} FROM ${table} WHERE key IN (${
          keys.map(() => "?").join(", ")
        })`,
      ).all(...keys) as unknown as KeyValue[];
    const params = group(byKeys("params", QUERY_PARAMS));
    const tags = group(byKeys("tags", QUERY_TAGS));
    const primaries = new Set(
      Object.values(tags).map((t) => t.primary_metric).filter((m) => m !== undefined),
    );
    const metricRows = byKeys(
      "latest_metrics",
      [...new Set([DELTA_METRIC, ...primaries, ...extraMetrics])],
      ", is_nan",
    );
    const metrics: Record<string, Record<string, number>> = {};
    for (const row of metricRows) {
      // MLflow stores NaN as 0 with is_nan set.
      (metrics[row.run_uuid] ??= {})[row.key] = row.is_nan ? NaN : Number(row.value);
    }
    return runs.map((run) =>
      toQueryRun({
        runId: run.run_uuid,
        experiment: run.name,
        status: run.status ?? "",
        lifecycleStage: run.lifecycle_stage ?? "active",
        startTime: run.start_time === null ? null : Number(run.start_time),
        params: params[run.run_uuid] ?? {},
        tags: tags[run.run_uuid] ?? {},
        metrics: metrics[run.run_uuid] ?? {},
      }, path)
    );
  } finally {
    db.close();
  }
}

function group(rows: KeyValue[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const row of rows) (out[row.run_uuid] ??= {})[row.key] = String(row.value ?? "");
  return out;
}

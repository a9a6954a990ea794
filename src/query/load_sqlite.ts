/**
 * Loads the runs of an MLflow SQLite store for `mlp query`, read-only, in four statements: the
 * runs with their experiment names, then only the params, tags and latest metrics the queries use
 * (`WHERE key IN …`). The
 * store is opened as `openSqliteRunReader` opens it (a killed writer's journal rolled back first,
 * a file that is not an MLflow store refused), so both see the same runs.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { openSqliteRunReader } from "../tracking/sqlite_reader.ts";
import { DELTA_METRIC, QUERY_PARAMS, QUERY_TAGS, type QueryRun, toQueryRun } from "./record.ts";

/** A row of params, tags or latest_metrics: run_uuid, key, value (and is_nan for metrics). */
type KeyValue = [string, string, unknown, (number | bigint)?];

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
    // Read the file through a memory map rather than a read() per page: a query reads most of it.
    db.exec("PRAGMA mmap_size = 268435456");
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
    // A run has some 70 params, of which 4 are read: the (key, run_uuid) index finds them. It
    // has some 20 tags and a few metrics, of which most are read: one pass over the table is
    // several times faster than a lookup per row (measured on the benchmark's store).
    const byKeys = (table: string, keys: readonly string[], extra = ""): KeyValue[] => {
      if (keys.length === 0) return [];
      const statement = db.prepare(
        `SELECT run_uuid, key, value${extra} FROM ${table}${
          table === "params" ? "" : " NOT INDEXED"
        } WHERE key IN (${keys.map(() => "?").join(", ")})`,
      );
      // Rows as arrays: no object per row, for some 100,000 rows (Deno 2.9's node:sqlite has it;
      // its type declarations do not list it yet).
      (statement as unknown as { setReturnArrays(on: boolean): void }).setReturnArrays(true);
      return statement.all(...keys) as unknown as KeyValue[];
    };
    const params = group(byKeys("params", QUERY_PARAMS));
    const tags = group(byKeys("tags", QUERY_TAGS));
    const primaries = new Set(
      [...tags.values()].map((t) => t.primary_metric).filter((m) => m !== undefined),
    );
    const metricRows = byKeys(
      "latest_metrics",
      [...new Set([DELTA_METRIC, ...primaries, ...extraMetrics])],
      ", is_nan",
    );
    const metrics = new Map<string, Record<string, number>>();
    for (const [runId, key, value, isNan] of metricRows) {
      let values = metrics.get(runId);
      if (!values) metrics.set(runId, values = {});
      // MLflow stores NaN as 0 with is_nan set.
      values[key] = isNan ? NaN : Number(value);
    }
    return runs.map((run) =>
      toQueryRun({
        runId: run.run_uuid,
        experiment: run.name,
        status: run.status ?? "",
        lifecycleStage: run.lifecycle_stage ?? "active",
        startTime: run.start_time === null ? null : Number(run.start_time),
        params: params.get(run.run_uuid) ?? {},
        tags: tags.get(run.run_uuid) ?? {},
        metrics: metrics.get(run.run_uuid) ?? {},
      }, path)
    );
  } finally {
    db.close();
  }
}

function group(rows: KeyValue[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const [runId, key, value] of rows) {
    let values = out.get(runId);
    if (!values) out.set(runId, values = {});
    values[key] = String(value ?? "");
  }
  return out;
}

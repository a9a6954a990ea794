/**
 * Loads the runs of an MLflow SQLite store for `mlp query`, read-only, in two steps so a query
 * reads only what its answer needs: first every run's state (status, trash, start time,
 * experiment, whether it has a seal tag) and the fields its filter tests, from which the caller
 * picks the runs it counts (`select.ts`); then, for those runs alone, the fields its question
 * reads (`QUESTION_FIELDS`). Each param, tag or metric key is read with `WHERE key IN (…)`, and
 * SQLite leaves out the rows of other runs: for a few runs it looks each up by the tables'
 * (key, run_uuid) primary key, for many it passes over the table once. The store is opened as
 * `openSqliteRunReader` opens it (a killed writer's journal rolled back first, a file that is not
 * an MLflow store refused), so both see the same runs.
 *
 * @module
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { REPRODUCES_TAG, SEAL_TAG } from "../contract/lists.ts";
import { openSqliteRunReader } from "../tracking/sqlite_reader.ts";
import { FIELD_KEYS, type QueryField, type QueryRun, toQueryRun } from "./record.ts";

/** What `toQueryRun` builds a run from. */
type Raw = Parameters<typeof toQueryRun>[0];

/** An open store: its runs, then more fields of the runs a query counts. */
export interface SqliteQueryStore {
  /**
   * Every run (deleted ones too: the caller says why they are left out), with its state and the
   * `fields` asked for.
   */
  runs(fields: readonly QueryField[]): QueryRun[];
  /**
   * `runs` (returned by `runs()`) with `fields` and the latest value of each of `extraMetrics`
   * read as well, in the same order.
   */
  complete(
    runs: readonly QueryRun[],
    fields: readonly QueryField[],
    extraMetrics: readonly string[],
  ): QueryRun[];
  close(): void;
}

/** A row of params, tags or latest_metrics: run_uuid, key, value (and is_nan for metrics). */
type KeyValue = [string, string, unknown, unknown?];

/** The params, tags and metrics that `fields` are read from. */
function keysOf(fields: readonly QueryField[]) {
  const params = new Set<string>();
  const tags = new Set<string>();
  const metrics = new Set<string>();
  for (const field of fields) {
    FIELD_KEYS[field].params.forEach((key) => params.add(key));
    FIELD_KEYS[field].tags.forEach((key) => tags.add(key));
    FIELD_KEYS[field].metrics.forEach((key) => metrics.add(key));
  }
  return { params: [...params], tags: [...tags], metrics: [...metrics] };
}

/**
 * Below this share of a store's runs, the runs a query counts have their keys looked up one by
 * one in the (key, run_uuid) primary key; above it, one pass over the table is faster (measured
 * on the benchmark's store: a project's runs of 20 are looked up, a use case's of 3 scanned).
 */
const LOOKUP_SHARE = 0.25;

/** Rows as arrays: no object per row (Deno 2.9's node:sqlite has it; its types lack it yet). */
function allArrays(db: DatabaseSync, sql: string, args: SQLInputValue[]): unknown[][] {
  const statement = db.prepare(sql);
  (statement as unknown as { setReturnArrays(on: boolean): void }).setReturnArrays(true);
  return statement.all(...args) as unknown as unknown[][];
}

/**
 * The rows of `table` with one of `keys`: of the runs in `ids` looked up through the primary key
 * when given, else of every run (`scan`: in one pass over the table rather than through the key).
 */
function byKeys(
  db: DatabaseSync,
  table: "params" | "tags" | "latest_metrics",
  keys: readonly string[],
  options: { ids?: readonly string[]; scan: boolean },
): KeyValue[] {
  if (keys.length === 0) return [];
  const marks = keys.map(() => "?").join(", ");
  const nan = table === "latest_metrics" ? ", is_nan" : "";
  if (options.ids) {
    return allArrays(
      db,
      `SELECT run_uuid, key, value${nan} FROM ${table} WHERE key IN (${marks}) ` +
        "AND run_uuid IN (SELECT value FROM json_each(?))",
      [...keys, JSON.stringify(options.ids)],
    ) as KeyValue[];
  }
  return allArrays(
    db,
    `SELECT run_uuid, key, value${nan} FROM ${table}${options.scan ? " NOT INDEXED" : ""} ` +
      `WHERE key IN (${marks})`,
    [...keys],
  ) as KeyValue[];
}

/** Puts `rows` into the raw run of their run in `raws` (rows of other runs are skipped). */
function fill(raws: Map<string, Raw>, into: "params" | "tags" | "metrics", rows: KeyValue[]) {
  for (const [runId, key, value, isNan] of rows) {
    const raw = raws.get(runId);
    if (!raw) continue;
    // MLflow stores NaN as 0 with is_nan set.
    if (into === "metrics") raw.metrics[key] = isNan ? NaN : Number(value);
    else raw[into][key] = String(value ?? "");
  }
}

/**
 * Opens the SQLite store at `path` for a query.
 *
 * @throws {CheckError} when the file does not exist or is not an MLflow store.
 */
export function openSqliteQueryStore(path: string): SqliteQueryStore {
  // The reader's checks (the file exists, is an MLflow store, has no unfinished transaction).
  openSqliteRunReader(path).close();
  const db = new DatabaseSync(path, { readOnly: true });
  // Read the file through a memory map rather than a read() per page: a query reads much of it.
  db.exec("PRAGMA mmap_size = 268435456");
  const raws = new Map<string, Raw>();
  return {
    runs(fields) {
      // The seal's presence alone, from the primary key: the tag's row is never read.
      const rows = allArrays(
        db,
        "SELECT r.run_uuid, r.status, r.lifecycle_stage, r.start_time, e.name, " +
          "EXISTS (SELECT 1 FROM tags s WHERE s.key = ? AND s.run_uuid = r.run_uuid), " +
          "EXISTS (SELECT 1 FROM tags s WHERE s.key = ? AND s.run_uuid = r.run_uuid) " +
          "FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id",
        [SEAL_TAG, REPRODUCES_TAG],
      );
      for (const row of rows) {
        const [runId, status, stage, start, experiment, sealed, reproduction] = row as [
          string,
          string | null,
          string | null,
          number | bigint | null,
          string,
          number | bigint,
          number | bigint,
        ];
        raws.set(runId, {
          runId,
          experiment,
          status: status ?? "",
          lifecycleStage: stage ?? "active",
          startTime: start === null ? null : Number(start),
          params: {},
          // toQueryRun records the two tags' presence; the seal's value is --verify's to read.
          tags: {
            ...(sealed ? { [SEAL_TAG]: "" } : {}),
            ...(reproduction ? { [REPRODUCES_TAG]: "" } : {}),
          },
          metrics: {},
        });
      }
      const keys = keysOf(fields);
      // A run mlp recorded has some 70 params, of which a few are read: through the key, always.
      fill(raws, "params", byKeys(db, "params", keys.params, { scan: false }));
      fill(raws, "tags", byKeys(db, "tags", keys.tags, { scan: true }));
      fill(raws, "metrics", byKeys(db, "latest_metrics", keys.metrics, { scan: true }));
      return [...raws.values()].map((raw) => toQueryRun(raw, path));
    },
    complete(runs, fields, extraMetrics) {
      const keys = keysOf(fields);
      const primary = fields.includes("primaryMetric");
      if (
        !keys.params.length && !keys.tags.length && !keys.metrics.length && !extraMetrics.length
      ) {
        return [...runs];
      }
      const read = new Map<string, Raw>();
      for (const run of runs) {
        const first = raws.get(run.runId)!;
        read.set(run.runId, {
          ...first,
          params: { ...first.params },
          tags: { ...first.tags },
          metrics: { ...first.metrics },
        });
      }
      const lookup = runs.length < raws.size * LOOKUP_SHARE;
      const options = lookup ? { ids: [...read.keys()], scan: false } : { scan: true };
      // A run mlp recorded has some 70 params, of which a few are read: through the key, always.
      fill(read, "params", byKeys(db, "params", keys.params, { ...options, scan: false }));
      fill(read, "tags", byKeys(db, "tags", keys.tags, options));
      // Each run's primary metric, as its tag (read just above) names it.
      const metrics = new Set([...keys.metrics, ...extraMetrics]);
      if (primary) {
        for (const raw of read.values()) {
          if (raw.tags.primary_metric !== undefined) metrics.add(raw.tags.primary_metric);
        }
      }
      fill(read, "metrics", byKeys(db, "latest_metrics", [...metrics], options));
      return runs.map((run) => toQueryRun(read.get(run.runId)!, path));
    },
    close() {
      db.close();
    },
  };
}

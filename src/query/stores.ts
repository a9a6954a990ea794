/**
 * Which stores a query reads, and loading their runs. `--store` (repeatable) names each: an
 * `http(s)://` tracking server, a `sqlite:///` URI, a SQLite file, or a project folder (its
 * `mlflow.db`). Without `--store`, the store of MLFLOW_TRACKING_URI, else the project's own
 * `mlflow.db`, as every mlp command does.
 *
 * @module
 */
import { isAbsolute, join, resolve } from "node:path";
import { InputError } from "../errors.ts";
import { storeKind } from "../tracking/reader.ts";
import { openSqliteQueryStore, type SqliteQueryStore } from "./load_sqlite.ts";
import type { QueryField, QueryRun } from "./record.ts";

/** A store to read: a SQLite file (absolute path) or a server URL. */
export type StoreRef = { kind: "sqlite"; path: string } | { kind: "server"; url: string };

/**
 * The store a `--store` value names, relative paths against `cwd`.
 *
 * @throws {InputError} for a URI of another scheme.
 */
export function parseStoreArg(value: string, cwd: string): StoreRef {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    if (storeKind(value) === "server") return { kind: "server", url: value };
    const path = value.slice("sqlite:///".length).split("?")[0];
    return { kind: "sqlite", path: resolve(cwd, path) };
  }
  const path = resolve(cwd, value);
  try {
    if (Deno.statSync(path).isDirectory) return { kind: "sqlite", path: join(path, "mlflow.db") };
  } catch {
    // Not there: the loader says so, naming the file.
  }
  return { kind: "sqlite", path };
}

/**
 * The stores to read: `--store` values, else MLFLOW_TRACKING_URI (a relative `sqlite:///` path
 * against the project root), else `<root>/mlflow.db`.
 *
 * @throws {InputError} when none is named and mlp runs outside a project.
 */
export function resolveStores(
  args: readonly string[],
  trackingUri: string | undefined,
  root: string | null,
  cwd: string,
): StoreRef[] {
  if (args.length > 0) return args.map((arg) => parseStoreArg(arg, cwd));
  const uri = trackingUri?.trim();
  if (uri) {
    if (storeKind(uri) === "server") return [{ kind: "server", url: uri }];
    const path = uri.slice("sqlite:///".length).split("?")[0];
    return [{ kind: "sqlite", path: isAbsolute(path) ? path : join(root ?? cwd, path) }];
  }
  if (root === null) {
    throw new InputError("No MLflow store to query: mlp runs outside a project", {
      hint: "run it inside a client project, set MLFLOW_TRACKING_URI, or name stores with " +
        "--store (a project folder, a mlflow.db file or http(s)://server:port; repeatable)",
    });
  }
  return [{ kind: "sqlite", path: join(root, "mlflow.db") }];
}

/** What `loadRuns` reads. */
export interface LoadRequest {
  /** The fields `keep` tests, read for every run. */
  scopeFields: readonly QueryField[];
  /** Picks the runs the query counts from every store's runs, in the order it returns them. */
  keep: (runs: QueryRun[]) => QueryRun[];
  /** The fields the question reads, read for the runs `keep` returned. */
  fields: readonly QueryField[];
  /** Metrics to read for those runs besides their primary metric and `metric_delta`. */
  extraMetrics: readonly string[];
  /** Runs started before this (ms since the epoch) a tracking server need not send. */
  sinceMs?: number;
}

/**
 * The runs of every store that `request.keep` keeps (a run found in two stores, e.g. one named
 * twice, is the first store's), with the fields asked for. A SQLite store is read in two steps
 * (`load_sqlite.ts`): every run's state and scope fields first, the question's fields then for
 * the kept runs only. A tracking server sends whole runs, so its runs are complete at once.
 *
 * @throws {CheckError} when a store cannot be read.
 */
export async function loadRuns(
  stores: readonly StoreRef[],
  env: Record<string, string | undefined>,
  request: LoadRequest,
): Promise<QueryRun[]> {
  const opened = new Map<string, SqliteQueryStore>();
  try {
    const seen = new Set<string>();
    const runs: QueryRun[] = [];
    for (const store of stores) {
      let loaded: QueryRun[];
      if (store.kind === "sqlite") {
        // A store named twice is read once; its runs would be the first one's anyway.
        if (opened.has(store.path)) continue;
        const sqlite = openSqliteQueryStore(store.path);
        opened.set(store.path, sqlite);
        loaded = sqlite.runs(request.scopeFields);
      } else {
        const { loadRestRuns } = await import("./load_rest.ts");
        loaded = await loadRestRuns(store.url, env, request.sinceMs);
      }
      for (const run of loaded) {
        if (seen.has(run.runId)) continue;
        seen.add(run.runId);
        runs.push(run);
      }
    }
    const kept = request.keep(runs);
    const complete = new Map<QueryRun, QueryRun>();
    for (const [path, sqlite] of opened) {
      const own = kept.filter((run) => run.store === path);
      if (own.length === 0) continue;
      const fields = request.fields.filter((field) => !request.scopeFields.includes(field));
      sqlite.complete(own, fields, request.extraMetrics)
        .forEach((run, i) => complete.set(own[i], run));
    }
    return kept.map((run) => complete.get(run) ?? run);
  } finally {
    for (const sqlite of opened.values()) sqlite.close();
  }
}

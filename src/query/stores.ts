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
import { loadRestRuns } from "./load_rest.ts";
import { loadSqliteRuns } from "./load_sqlite.ts";
import type { QueryRun } from "./record.ts";

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

/**
 * The runs of every store (a run found in two stores, e.g. one named twice, counted once).
 *
 * @throws {CheckError} when a store cannot be read.
 */
export async function loadRuns(
  stores: readonly StoreRef[],
  env: Record<string, string | undefined>,
  extraMetrics: readonly string[],
  sinceMs?: number,
): Promise<QueryRun[]> {
  const seen = new Set<string>();
  const runs: QueryRun[] = [];
  for (const store of stores) {
    const loaded = store.kind === "sqlite"
      ? loadSqliteRuns(store.path, extraMetrics)
      : await loadRestRuns(store.url, env, sinceMs);
    for (const run of loaded) {
      if (seen.has(run.runId)) continue;
      seen.add(run.runId);
      runs.push(run);
    }
  }
  return runs;
}

/**
 * Where a run is recorded: `MLFLOW_TRACKING_URI` when set, else the project's `mlflow.db`.
 *
 * @module
 */
import { storeKind } from "../tracking/reader.ts";

/** The project's own store, relative to the project root (where the supervisor runs). */
export const DEFAULT_TRACKING_URI = "sqlite:///mlflow.db";

/**
 * Resolves the tracking store of a run, refusing one the merge gate could not read
 * (`storeKind`). The default is relative to the project root, so that the URI mlp hands the
 * supervisor names no machine path; the store itself keeps artifacts in `mlartifacts/`, also
 * relative (src/python/mlp_platform/store.py).
 */
export function resolveTrackingUri(envUri: string | undefined): string {
  const uri = envUri?.trim();
  if (!uri) return DEFAULT_TRACKING_URI;
  storeKind(uri);
  return uri;
}

/**
 * Where a run is recorded: `MLFLOW_TRACKING_URI` when set, else the project's `mlflow.db`.
 *
 * @module
 */
import { join } from "node:path";
import { storeKind } from "../tracking/reader.ts";

/** The tracking store of a run and where new experiments keep their artifacts. */
export interface TrackingTarget {
  uri: string;
  /** Artifact root for experiments mlp creates; `null` lets the server decide. */
  artifactLocation: string | null;
}

/**
 * Resolves the tracking store, refusing one the merge gate could not read (`storeKind`). The
 * default keeps artifacts in `<root>/mlartifacts` so that a backup of the project's store is
 * `mlflow.db` plus that one directory.
 */
export function resolveTrackingTarget(root: string, envUri: string | undefined): TrackingTarget {
  const uri = envUri?.trim();
  if (uri) {
    storeKind(uri);
    return { uri, artifactLocation: null };
  }
  return {
    uri: `sqlite:///${join(root, "mlflow.db")}`,
    artifactLocation: `file://${join(root, "mlartifacts")}`,
  };
}

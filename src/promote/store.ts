/**
 * The store a promotion reads and writes: the one the merge gate reads (the committed standards'
 * `tracking_store`, src/merge/gate_store.ts), so that a run from a colleague's scratch store or a
 * forged one is never promoted, and the registry written is the project's.
 *
 * @module
 */
import { gateStoreUri } from "../merge/gate_store.ts";
import { openStore } from "../runs/open_store.ts";
import { resolveTrackingUri } from "../run/tracking_uri.ts";
import type { RunReader } from "../tracking/run_record.ts";

/** The project's store, opened for reading, and its URI for the platform's writes. */
export interface PromotionStore {
  reader: RunReader;
  trackingUri: string;
}

/**
 * Opens (and reconciles) the project's store, refusing an `MLFLOW_TRACKING_URI` that names another.
 *
 * @throws {CheckError} when `MLFLOW_TRACKING_URI` names another store.
 */
export async function openPromotionStore(
  root: string,
  env: Record<string, string | undefined>,
  log: (line: string) => void,
): Promise<PromotionStore> {
  const uri = await gateStoreUri(root, env);
  const reader = await openStore(root, { ...env, MLFLOW_TRACKING_URI: uri }, log);
  return { reader, trackingUri: resolveTrackingUri(uri) };
}

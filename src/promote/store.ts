/**
 * The store a promotion reads and writes: the one the merge gate reads (the committed standards'
 * `tracking_store`, src/merge/gate_store.ts), so that a run from a colleague's scratch store or a
 * forged one is never promoted, and the registry written is the project's.
 *
 * @module
 */
import { committedStore, committedStoreUri, openGateStore } from "../merge/gate_store.ts";
import { resolveTrackingUri } from "../run/tracking_uri.ts";
import type { RunReader } from "../tracking/run_record.ts";

/** The project's store, opened for reading, and its URI for the platform's writes. */
export interface PromotionStore {
  reader: RunReader;
  trackingUri: string;
}

/**
 * Opens the project's store (refusing an `MLFLOW_TRACKING_URI` that names another).
 *
 * @throws {CheckError} when `MLFLOW_TRACKING_URI` names another store.
 */
export async function openPromotionStore(
  root: string,
  env: Record<string, string | undefined>,
  log: (line: string) => void,
): Promise<PromotionStore> {
  const reader = await openGateStore(root, env, log);
  const given = env.MLFLOW_TRACKING_URI?.trim();
  const trackingUri = resolveTrackingUri(given || committedStoreUri(await committedStore(root)));
  return { reader, trackingUri };
}

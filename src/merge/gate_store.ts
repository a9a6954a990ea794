/**
 * The store the merge gate reads: the one the project names in its committed standards
 * (`tracking_store` of configs/project_standards.yaml at HEAD), never one chosen by
 * `MLFLOW_TRACKING_URI` alone. The environment may still say how to reach it (credentials, a
 * relative or absolute spelling of the same file), but a run recorded in any other store, a
 * colleague's scratch store or a forged one, proves nothing here.
 *
 * @module
 */
import { resolve } from "node:path";
import { readCommitted } from "../config/committed.ts";
import { parseStandards, PROJECT_STORE } from "../config/standards.ts";
import { CheckError } from "../errors.ts";
import { STANDARDS_PATH } from "../project/paths.ts";
import { DEFAULT_TRACKING_URI, resolveTrackingUri } from "../run/tracking_uri.ts";
import { sqliteFile } from "../run/store_file.ts";
import { openStore } from "../runs/open_store.ts";
import { splitCredentials } from "../tracking/redact.ts";
import type { RunReader } from "../tracking/run_record.ts";

/** The tracking URI a `tracking_store` setting names. */
export function committedStoreUri(setting: string): string {
  return setting === PROJECT_STORE ? DEFAULT_TRACKING_URI : setting;
}

/**
 * Whether two tracking URIs name the same store: the same SQLite file (relative paths from the
 * project root), or the same server address once credentials and a trailing slash are dropped.
 */
export function sameStore(root: string, a: string, b: string): boolean {
  const fileA = sqliteFile(root, a);
  const fileB = sqliteFile(root, b);
  if (fileA !== null || fileB !== null) {
    return fileA !== null && fileB !== null && resolve(fileA) === resolve(fileB);
  }
  return serverAddress(a) === serverAddress(b);
}

function serverAddress(uri: string): string {
  const plain = splitCredentials(uri).uri;
  try {
    const url = new URL(plain);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
  } catch {
    return plain;
  }
}

/**
 * The `tracking_store` of the standards committed at HEAD (`project` when HEAD has no standards
 * file).
 *
 * @throws {CheckError} when the committed standards do not parse.
 */
export async function committedStore(root: string): Promise<string> {
  const text = await (await readCommitted(root)).text(STANDARDS_PATH);
  if (text === null) return PROJECT_STORE;
  return parseStandards(text, STANDARDS_PATH).tracking_store;
}

/**
 * The tracking URI of the store the merge gate may read: `MLFLOW_TRACKING_URI` when it names the
 * committed store, else the committed store itself when it is unset.
 *
 * @throws {CheckError} when `MLFLOW_TRACKING_URI` names another store, with both and the fix.
 */
export async function gateStoreUri(
  root: string,
  env: Record<string, string | undefined>,
): Promise<string> {
  const setting = await committedStore(root);
  const committed = committedStoreUri(setting);
  const given = env.MLFLOW_TRACKING_URI?.trim();
  if (given && !sameStore(root, resolveTrackingUri(given), committed)) {
    const named = setting === PROJECT_STORE
      ? `"project" (the project's mlflow.db)`
      : `"${setting}"`;
    throw new CheckError(
      `MLFLOW_TRACKING_URI "${splitCredentials(given).uri}" is not the store this project's runs ` +
        `must be in: ${STANDARDS_PATH} at HEAD names ${named}`,
      {
        details: ["a run recorded in another store proves no merge here"],
        hint: "unset MLFLOW_TRACKING_URI (mlp then reads the committed store), or change " +
          `tracking_store in ${STANDARDS_PATH} and merge that change (it applies once it is at HEAD)`,
      },
    );
  }
  return given || committed;
}

/**
 * Opens (and reconciles) the store the merge gate may read ({@linkcode gateStoreUri}).
 *
 * @throws {CheckError} when `MLFLOW_TRACKING_URI` names another store, with both and the fix.
 */
export async function openGateStore(
  root: string,
  env: Record<string, string | undefined>,
  log: (line: string) => void,
): Promise<RunReader> {
  const uri = await gateStoreUri(root, env);
  return await openStore(root, { ...env, MLFLOW_TRACKING_URI: uri }, log);
}

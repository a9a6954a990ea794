/**
 * `python -m mlp_platform.run_admin <command>` in the project's locked environment: the one way
 * mlp writes to the store outside a run (ending abandoned runs, a correction's tags), through the
 * official MLflow client, so the SQLite file and a tracking server are written the same way.
 *
 * @module
 */
import { callPlatform, type PlatformCallResult } from "../run/platform_call.ts";

/** What `run_admin` printed and how it ended. */
export type RunAdminResult = PlatformCallResult;

/**
 * Runs `run_admin <command>` on the store `trackingUri` with `input` as JSON on its stdin.
 *
 * @throws {CheckError} when uv is not on PATH (nothing has started then).
 */
export function runAdmin(
  root: string,
  trackingUri: string,
  command: "end" | "tag",
  input: unknown,
): Promise<RunAdminResult> {
  return callPlatform(root, "run_admin", [command], input, { MLFLOW_TRACKING_URI: trackingUri });
}

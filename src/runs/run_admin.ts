/**
 * `python -m mlp_platform.run_admin <command>` in the project's locked environment: the one way
 * mlp writes to the store outside a run (ending abandoned runs, a correction's tags), through the
 * official MLflow client, so the SQLite file and a tracking server are written the same way.
 *
 * @module
 */
import { projectPaths } from "../project/paths.ts";
import { materializePlatform } from "../run/platform.ts";
import { spawnPlatformPython } from "../run/platform_python.ts";
import { TextLineStream } from "../run/text_lines.ts";

/** What `run_admin` printed and how it ended. */
export interface RunAdminResult {
  /** The lines of its event channel. */
  lines: string[];
  stderr: string;
  success: boolean;
}

/**
 * Runs `run_admin <command>` on the store `trackingUri` with `input` as JSON on its stdin.
 *
 * @throws {CheckError} when uv is not on PATH (nothing has started then).
 */
export async function runAdmin(
  root: string,
  trackingUri: string,
  command: "end" | "tag",
  input: unknown,
): Promise<RunAdminResult> {
  const child = spawnPlatformPython({
    root,
    platformDir: await materializePlatform(projectPaths(root).state),
    module: "run_admin",
    args: [command],
    env: { MLFLOW_TRACKING_URI: trackingUri },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
  await writer.close();
  const [lines, stderr, status] = await Promise.all([
    Array.fromAsync(
      child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(new TextLineStream()),
    ),
    new Response(child.stderr).text(),
    child.status,
  ]);
  return { lines, stderr, success: status.success };
}

/**
 * One request to a platform module: `python -m mlp_platform.<module> <args>` in the project's
 * locked environment with a JSON request on stdin, its event channel read to the end.
 *
 * @module
 */
import { projectPaths } from "../project/paths.ts";
import { materializePlatform } from "./platform.ts";
import { spawnPlatformPython } from "./platform_python.ts";
import { TextLineStream } from "./text_lines.ts";

/** What the module printed and how it ended. */
export interface PlatformCallResult {
  /** The lines of its event channel. */
  lines: string[];
  stderr: string;
  success: boolean;
  /** Its exit code. */
  code: number;
}

/**
 * Runs `module` with `args`, writes `input` as JSON to its stdin and closes it, and collects its
 * output. `env` is added to mlp's environment (MLFLOW_TRACKING_URI loses its credentials to
 * MLflow's own variables on the way, as for every platform process).
 *
 * @throws {CheckError} when uv is not on PATH (nothing has started then).
 */
export async function callPlatform(
  root: string,
  module: string,
  args: string[],
  input: unknown,
  env: Record<string, string>,
): Promise<PlatformCallResult> {
  const child = spawnPlatformPython({
    root,
    platformDir: await materializePlatform(projectPaths(root).state),
    module,
    args,
    env,
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
  return { lines, stderr, success: status.success, code: status.code };
}

/**
 * Starting the platform's Python (src/python/mlp_platform) in the project's locked environment:
 * `uv run --locked python -m mlp_platform.<module>`. `--locked` makes uv refuse a uv.lock that no
 * longer matches pyproject.toml, so the environment that runs is always the one whose hash is
 * logged.
 *
 * @module
 */
import { CheckError } from "../errors.ts";
import { trackingEnv } from "../tracking/redact.ts";

/** What to start, and with which pipes. */
export interface PlatformPythonOptions {
  root: string;
  /** The directory holding `mlp_platform/` (see `materializePlatform`). */
  platformDir: string;
  /** The module under `mlp_platform`, e.g. `supervisor`. */
  module: string;
  args: string[];
  /** The working directory; the project root by default. */
  cwd?: string;
  /** Variables added to mlp's environment (MLFLOW_TRACKING_URI, …). */
  env: Record<string, string>;
  stdin: "piped" | "null";
  stdout: "piped" | "null";
  stderr: "piped" | "inherit";
}

/**
 * Spawns the module's process.
 *
 * @throws {CheckError} when uv is not on PATH (nothing has started then).
 */
export function spawnPlatformPython(options: PlatformPythonOptions): Deno.ChildProcess {
  const { MLFLOW_TRACKING_URI: trackingUri, ...rest } = options.env;
  const env: Record<string, string> = {
    PYTHONPATH: options.platformDir,
    PYTHONUNBUFFERED: "1",
    ...rest,
    // The store's credentials leave its URL here, so that nothing MLflow prints or records has them.
    ...(trackingUri === undefined ? {} : trackingEnv(trackingUri)),
  };
  if (!Deno.env.get("UV_PYTHON_DOWNLOADS")) env.UV_PYTHON_DOWNLOADS = "never";
  const command = new Deno.Command("uv", {
    args: [
      "run",
      "--quiet",
      "--locked",
      "--project",
      options.root,
      "python",
      "-m",
      `mlp_platform.${options.module}`,
      ...options.args,
    ],
    cwd: options.cwd ?? options.root,
    env,
    stdin: options.stdin,
    stdout: options.stdout,
    stderr: options.stderr,
  });
  try {
    return command.spawn();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new CheckError("Cannot start the run: `uv` is not on PATH", {
      hint: "install uv (https://docs.astral.sh/uv/) and run `uv sync` in the project; " +
        "nothing was recorded",
    });
  }
}

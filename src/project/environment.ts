/**
 * The environment variables mlp reads, and nothing else: mlp runs with `--allow-env` limited to
 * this list (bin/permissions.sh), so its TypeScript cannot read a caller's tokens or cloud
 * credentials even by mistake. Child processes (git, uv) still inherit the whole environment;
 * the trainer's is scrubbed by the supervisor.
 *
 * @module
 */

/** Every variable mlp reads. bin/permissions.sh grants these and {@linkcode LIBRARY_ENV_VARS}. */
export const ENV_VARS = [
  // Who runs mlp (src/config/reasoning.ts, src/audit/override_log.ts).
  "MLP_AGENT",
  "MLP_OPERATOR",
  "CLAUDECODE",
  "CODEX_SANDBOX",
  "CODEX_CI",
  // Where runs are recorded and read (src/run/tracking_uri.ts, src/tracking/rest_reader.ts).
  "MLFLOW_TRACKING_URI",
  "MLFLOW_TRACKING_TOKEN",
  "MLFLOW_TRACKING_USERNAME",
  "MLFLOW_TRACKING_PASSWORD",
  // Whether uv may download a Python (src/run/supervisor.ts).
  "UV_PYTHON_DOWNLOADS",
] as const;

/**
 * Variables mlp's npm dependencies read through `process.env` (checked in their sources): yaml's
 * parser debug switches and commander's colour settings. Denied, the read throws, so they are
 * granted too; mlp itself never reads them. A new one after an upgrade fails the end-to-end tests,
 * which run bin/mlp with these permissions.
 */
export const LIBRARY_ENV_VARS = [
  "LOG_TOKENS",
  "LOG_STREAM",
  "NO_COLOR",
  "FORCE_COLOR",
  "CLICOLOR_FORCE",
] as const;

/** The variables of {@linkcode ENV_VARS} that are set, by name. */
export function readEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ENV_VARS) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

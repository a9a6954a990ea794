/**
 * The container engine of the container suite: rootful podman and a local stand-in for
 * `python:3.11-slim`, set up by the steering repository's `shared/tools/container-engine.sh` (no
 * image registry is reachable from these machines). The script is idempotent: minutes the first
 * time, seconds after.
 *
 * @module
 */
import { join } from "node:path";
import { MLP_ROOT, type Output } from "../support/project.ts";

/** The setup script, beside the mlp checkout as `../shared/` (as on the machines and in CI). */
export const ENGINE_SCRIPT = join(MLP_ROOT, "../shared/tools/container-engine.sh");

/** The variables that point podman at the engine's configuration (the script exports them). */
const ENGINE_VARIABLES = ["CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF"] as const;

/**
 * The script finds the Debian mirror with `grep … /etc/apt/sources.list.d/*.sources
 * /etc/apt/sources.list` under `set -o pipefail`: on a machine with only the deb822 file, grep
 * exits 2 for the missing one and the script stops before it builds the base image. The script
 * belongs to another repository, so this shell function (visible to the sourced script) leaves
 * out the apt source files that do not exist before calling the real grep.
 */
const APT_SOURCES_SHIM = 'grep() { local kept=(); for arg in "$@"; do ' +
  '[[ $arg == /etc/apt/* && ! -e $arg ]] || kept+=("$arg"); done; command grep "${kept[@]}"; }';

/**
 * Sources the setup script and returns the variables every later podman command needs. Its
 * progress goes to this process's stderr.
 */
export async function setUpEngine(): Promise<Record<string, string>> {
  const print = ENGINE_VARIABLES.map((name) => `printf '%s\\n' "$${name}"`).join("; ");
  const out = await new Deno.Command("bash", {
    args: [
      "-c",
      `${APT_SOURCES_SHIM}; source "$1" >&2 && ${print}`,
      "container-engine",
      ENGINE_SCRIPT,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) {
    throw new Error(`"${ENGINE_SCRIPT}" exited ${out.code}: see its output above`);
  }
  const values = new TextDecoder().decode(out.stdout).trim().split("\n");
  return Object.fromEntries(ENGINE_VARIABLES.map((name, i) => [name, values[i]]));
}

/** Runs podman with the engine's variables; `inherit` streams its output (a long build). */
export async function podman(
  engine: Record<string, string>,
  args: string[],
  options: { inherit?: boolean } = {},
): Promise<Output> {
  const stream = options.inherit ? "inherit" : "piped";
  const out = await new Deno.Command("podman", {
    args,
    env: engine,
    stdin: "null",
    stdout: stream,
    stderr: stream,
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: options.inherit ? "" : decoder.decode(out.stdout),
    stderr: options.inherit ? "" : decoder.decode(out.stderr),
  };
}

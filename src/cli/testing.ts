/**
 * Test helpers for the command-line tests: run the real `bin/mlp` in a small project made from
 * mlp's default standards and the valid test configs. Not part of mlp.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const MLP = new URL("../../bin/mlp", import.meta.url).pathname;
const DENO_BIN = new URL("../../.tools/deno/node_modules/.bin", import.meta.url).pathname;
/** mlp's default standards, as `mlp schema` and the template use them. */
export const STANDARDS = new URL("../../configs/project_standards.yaml", import.meta.url);
/** A valid experiment config for {@linkcode STANDARDS}. */
export const EXPERIMENT = new URL("../config/testdata/experiment.yaml", import.meta.url);
const REASONING = new URL("../config/testdata/reasoning.yaml", import.meta.url);

/** What a finished `mlp` process printed and returned. */
export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bin/mlp` in `cwd` with a clean environment (plus `env`), so no agent variable leaks in. */
export async function mlp(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Outcome> {
  const output = await new Deno.Command(MLP, {
    args,
    cwd,
    clearEnv: true,
    env: {
      PATH: `${DENO_BIN}:/usr/bin:/bin`,
      HOME: Deno.env.get("HOME") ?? "/root",
      NO_COLOR: "1",
      ...env,
    },
  }).output();
  const text = new TextDecoder();
  return {
    code: output.code,
    stdout: text.decode(output.stdout),
    stderr: text.decode(output.stderr),
  };
}

/** Runs `fn` in a temporary project with mlp's default standards and valid configs; removes it. */
export async function withProject(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "mlp_cli_" });
  try {
    await Deno.mkdir(join(root, "configs"));
    await Deno.mkdir(join(root, "src"));
    await Deno.copyFile(STANDARDS, join(root, "configs/project_standards.yaml"));
    await Deno.copyFile(EXPERIMENT, join(root, "configs/experiment.yaml"));
    await Deno.copyFile(REASONING, join(root, "configs/reasoning.yaml"));
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** Replaces `from` with `to` in the project file `path` (`from` must occur). */
export async function editFile(
  root: string,
  path: string,
  from: string,
  to: string,
): Promise<void> {
  const text = await Deno.readTextFile(join(root, path));
  assert.ok(text.includes(from), `${path} lacks ${JSON.stringify(from)}`);
  await Deno.writeTextFile(join(root, path), text.replace(from, to));
}

/**
 * Test helper for the command-line tests: run the real `bin/mlp` (projects to run it in come from
 * src/config/testing.ts). Not part of mlp.
 *
 * @module
 */

const MLP = new URL("../../bin/mlp", import.meta.url).pathname;
const DENO_BIN = new URL("../../.tools/deno/node_modules/.bin", import.meta.url).pathname;

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

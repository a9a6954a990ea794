import assert from "node:assert/strict";
import { ENV_VARS, LIBRARY_ENV_VARS, readEnvironment } from "./environment.ts";

const PERMISSIONS = new URL("../../bin/permissions.sh", import.meta.url);

Deno.test("bin/permissions.sh grants exactly the environment variables mlp reads", async () => {
  const text = await Deno.readTextFile(PERMISSIONS);
  const granted = text.match(/^\s*--allow-env=(\S+)$/m)?.[1].split(",");
  assert.deepEqual(granted, [...ENV_VARS, ...LIBRARY_ENV_VARS]);
});

Deno.test("readEnvironment() returns the listed variables that are set, and no other", () => {
  Deno.env.set("MLP_OPERATOR", "risk@bank.test");
  Deno.env.delete("MLP_AGENT");
  try {
    const env = readEnvironment();
    assert.equal(env.MLP_OPERATOR, "risk@bank.test");
    assert.equal("MLP_AGENT" in env, false);
    assert.ok(Object.keys(env).every((name) => (ENV_VARS as readonly string[]).includes(name)));
  } finally {
    Deno.env.delete("MLP_OPERATOR");
  }
});

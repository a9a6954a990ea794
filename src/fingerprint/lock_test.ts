import assert from "node:assert/strict";
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import { lockHash, projectLockHash } from "./lock.ts";

Deno.test("projectLockHash() is the SHA-256 of uv.lock's bytes", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(root, "uv.lock"), "abc");
    const expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assert.equal(await projectLockHash(root), expected);
    assert.equal(lockHash(new TextEncoder().encode("abc")), expected);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("projectLockHash() refuses a project without uv.lock", async () => {
  const root = await Deno.makeTempDir();
  try {
    await assert.rejects(projectLockHash(root), (error: unknown) => {
      assert.ok(error instanceof CheckError);
      assert.equal(
        error.message,
        'The project has no "uv.lock": runs record the exact dependencies',
      );
      assert.equal(error.hint, "run `uv lock` in the project and commit uv.lock");
      return true;
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

import { deepEqual, equal } from "node:assert/strict";
import { join } from "node:path";
import { mlpBuild } from "../fingerprint/mlp_build.ts";
import { materializePlatform } from "./platform.ts";

Deno.test("materializePlatform() writes the platform package once, content-addressed", async () => {
  const state = await Deno.makeTempDir();
  const dir = await materializePlatform(state);
  equal(dir, join(state, "platform", dir.split("/").at(-1)!));
  const shipped = new URL("../python/mlp_platform/supervisor.py", import.meta.url);
  deepEqual(
    await Deno.readFile(join(dir, "mlp_platform/supervisor.py")),
    await Deno.readFile(shipped),
  );
  const before = (await Deno.stat(join(dir, ".complete"))).mtime;
  equal(await materializePlatform(state), dir);
  deepEqual((await Deno.stat(join(dir, ".complete"))).mtime, before);
  const siblings = (await Array.fromAsync(Deno.readDir(join(state, "platform")))).map((e) =>
    e.name
  );
  deepEqual(siblings, [dir.split("/").at(-1)]);
  await Deno.remove(state, { recursive: true });
});

Deno.test("materializePlatform() carries the contract files the platform reads", async () => {
  const state = await Deno.makeTempDir();
  const dir = await materializePlatform(state);
  for (const name of ["plan.schema.json", "events.schema.json", "lists.json"]) {
    deepEqual(
      await Deno.readFile(join(dir, "mlp_platform", name)),
      await Deno.readFile(new URL(`../python/mlp_platform/${name}`, import.meta.url)),
      name,
    );
  }
  await Deno.remove(state, { recursive: true });
});

Deno.test("materializePlatform() names the directory by the Python half of mlp_build", async () => {
  const state = await Deno.makeTempDir();
  const dir = await materializePlatform(state);
  const python = (await mlpBuild()).match(/\.py\.([0-9a-f]{64})$/)![1];
  equal(dir.split("/").at(-1), python.slice(0, 16));
  await Deno.remove(state, { recursive: true });
});

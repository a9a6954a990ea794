/**
 * `mlp runs repair` on a project that has no MLflow store yet (an mlp killed before its first run
 * created one): nothing to end, and the run directories it left are still tidied.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { withProject } from "../config/testing.ts";
import { mlp } from "./testing.ts";

Deno.test("mlp runs repair: a project without a store has nothing to end, and its run directories are tidied", async () => {
  await withProject(async (root) => {
    // What an mlp killed while creating its run directory leaves (no lock held).
    const staging = join(root, ".mlp/runs/.new-123");
    await Deno.mkdir(staging, { recursive: true });
    await Deno.writeTextFile(join(staging, "mlp.lock"), "");

    const repaired = await mlp(root, ["runs", "repair"]);
    assert.equal(repaired.stderr, "");
    assert.equal(repaired.code, 0);
    assert.equal(
      repaired.stdout,
      "nothing to end: the project has no MLflow store yet (mlflow.db)\n",
    );
    await assert.rejects(Deno.stat(staging), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(join(root, "mlflow.db")), Deno.errors.NotFound);

    const json = await mlp(root, ["runs", "repair", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), { ended: [], unjudged: [], runDirs: [] });
  });
});

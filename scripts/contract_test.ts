import assert from "node:assert/strict";
import { join } from "node:path";
import { CONTRACT_DIR, renderContractFiles } from "../src/contract/render.ts";
import { staleContractFiles } from "./contract.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test("src/python/mlp_platform holds the contract files rendered from src/contract/", async () => {
  assert.deepEqual(
    await staleContractFiles(ROOT),
    [],
    "run `deno run -A scripts/contract.ts` and commit the result",
  );
});

Deno.test("staleContractFiles() names a contract file that is missing or was edited", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, CONTRACT_DIR), { recursive: true });
    for (const [name, text] of Object.entries(renderContractFiles())) {
      await Deno.writeTextFile(join(root, CONTRACT_DIR, name), text);
    }
    assert.deepEqual(await staleContractFiles(root), []);
    await Deno.remove(join(root, CONTRACT_DIR, "lists.json"));
    await Deno.writeTextFile(join(root, CONTRACT_DIR, "plan.schema.json"), "{}\n");
    assert.deepEqual(await staleContractFiles(root), ["plan.schema.json", "lists.json"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("scripts/contract.ts --check exits 0 on this checkout", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "scripts/contract.ts"), "--check"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
});

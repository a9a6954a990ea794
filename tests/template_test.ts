/** The client template ships the repository's hook scripts, unchanged. */
import { deepEqual, equal } from "node:assert/strict";
import { join } from "node:path";
import { MLP_ROOT } from "./support/project.ts";

Deno.test("template/.githooks holds exactly the scripts in hooks/, executable", async () => {
  const names = async (dir: string) =>
    (await Array.fromAsync(Deno.readDir(join(MLP_ROOT, dir)))).map((e) => e.name).sort();
  deepEqual(await names("template/.githooks"), await names("hooks"));
  for (const name of await names("hooks")) {
    const shipped = await Deno.readFile(join(MLP_ROOT, "template/.githooks", name));
    deepEqual(shipped, await Deno.readFile(join(MLP_ROOT, "hooks", name)), name);
    equal((await Deno.stat(join(MLP_ROOT, "template/.githooks", name))).mode! & 0o111, 0o111, name);
  }
});

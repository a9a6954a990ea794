import { equal } from "node:assert/strict";
import { join } from "node:path";
import { exists } from "./exists.ts";

Deno.test("exists() tells files, dangling symlinks and absent paths apart", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "file"), "x");
  await Deno.symlink(join(dir, "nowhere"), join(dir, "dangling"));
  equal(await exists(join(dir, "file")), true);
  equal(await exists(join(dir, "dangling")), true);
  equal(await exists(join(dir, "absent")), false);
  await Deno.remove(dir, { recursive: true });
});

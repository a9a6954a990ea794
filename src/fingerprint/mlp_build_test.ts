import assert from "node:assert/strict";
import { join } from "node:path";
import { MLP_VERSION } from "../version.ts";
import { mlpBuild, mlpBuildOf } from "./mlp_build.ts";
import { sha256, withFiles } from "./testing.ts";

const FILES: Record<string, string> = {
  "main.ts": "export const a = 1;\n",
  "cli/run.ts": "export const b = 2;\n",
  "cli/run_test.ts": "a test\n",
  "cli/testing.ts": "a test helper\n",
  "python/mlp_platform/fitting.py": "FIT = 1\n",
  "python/mlp_platform/plan.py": "PLAN = 1\n",
  "python/mlp_platform/plan.schema.json": '{"type": "object"}\n',
  "python/mlp_platform/notes.txt": "not Python\n",
  "python/tests/test_plan.py": "a Python test\n",
};

function listing(paths: string[]): string {
  return paths.map((path) =>
    `${path}\0${sha256(FILES[path] ?? FILES[`python/mlp_platform/${path}`])}\n`
  )
    .join("");
}

Deno.test("mlpBuildOf() is the version, the hash of the TypeScript and of the platform Python", async () => {
  await withFiles(FILES, async (src) => {
    const typescript = sha256(listing(["cli/run.ts", "main.ts"]));
    const python = sha256(listing(["fitting.py", "plan.py", "plan.schema.json"]));
    assert.equal(await mlpBuildOf(src), `${MLP_VERSION}+ts.${typescript}.py.${python}`);
  });
});

Deno.test("mlpBuildOf() changes with the source and the platform Python, not with tests", async () => {
  await withFiles(FILES, async (src) => {
    const base = await mlpBuildOf(src);
    const changed = async (path: string) => {
      const before = await Deno.readTextFile(join(src, path));
      await Deno.writeTextFile(join(src, path), before + "// changed\n");
      const build = await mlpBuildOf(src);
      await Deno.writeTextFile(join(src, path), before);
      return build;
    };
    assert.notEqual(await changed("cli/run.ts"), base);
    assert.notEqual(await changed("python/mlp_platform/fitting.py"), base);
    // The contract files the platform reads (src/contract/) decide what it accepts.
    assert.notEqual(await changed("python/mlp_platform/plan.schema.json"), base);
    assert.equal(await changed("cli/run_test.ts"), base);
    assert.equal(await changed("cli/testing.ts"), base);
    assert.equal(await changed("python/tests/test_plan.py"), base);
    assert.equal(await changed("python/mlp_platform/notes.txt"), base);
  });
});

Deno.test("mlpBuild() is the build of this checkout's src/, and the version is deno.json's", async () => {
  const src = new URL("..", import.meta.url).pathname;
  const build = await mlpBuild();
  assert.match(build, /^\d+\.\d+\.\d+\+ts\.[0-9a-f]{64}\.py\.[0-9a-f]{64}$/);
  assert.equal(build, await mlpBuildOf(src));
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(MLP_VERSION, config.version);
});

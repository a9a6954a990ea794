import assert from "node:assert/strict";
import { join } from "node:path";
import { STANDARDS } from "../config/testing.ts";
import { mlp } from "./testing.ts";

const CONFIGS = new URL("../../configs/", import.meta.url);

const SCHEMAS = [
  "experiment.schema.json",
  "reasoning.schema.json",
  "project_standards.schema.json",
];

Deno.test("mlp schema writes the schemas and --check finds them stale or current", async () => {
  const root = await Deno.makeTempDir({ prefix: "mlp_schema_" });
  try {
    await Deno.mkdir(join(root, "configs"));
    await Deno.copyFile(
      STANDARDS,
      join(root, "configs/project_standards.yaml"),
    );
    assert.deepEqual(await mlp(root, ["schema", "--check"]), {
      code: 1,
      stdout: "",
      stderr: [
        "error: 3 of 3 JSON Schema files are missing or out of date",
        "  - configs/experiment.schema.json",
        "  - configs/reasoning.schema.json",
        "  - configs/project_standards.schema.json",
        "hint: run `mlp schema` and commit the result",
        "",
      ].join("\n"),
    });
    assert.deepEqual(await mlp(root, ["schema"]), {
      code: 0,
      stdout: SCHEMAS.map((name) => `wrote configs/${name}\n`).join(""),
      stderr: "",
    });
    for (const name of SCHEMAS) {
      assert.equal(
        await Deno.readTextFile(join(root, "configs", name)),
        await Deno.readTextFile(new URL(name, CONFIGS)),
      );
    }
    assert.deepEqual(await mlp(root, ["schema", "--check"]), {
      code: 0,
      stdout:
        "ok: configs/experiment.schema.json, configs/reasoning.schema.json, configs/project_standards.schema.json are up to date\n",
      stderr: "",
    });
    const missingDir = await mlp(root, ["schema", "--out", "nowhere"]);
    assert.equal(missingDir.code, 2);
    assert.equal(
      missingDir.stderr,
      'error: Output directory "nowhere" does not exist\nhint: create it first, or omit --out to write into configs/\n',
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("mlp schema --help shows an example", async () => {
  const outcome = await mlp(Deno.cwd(), ["schema", "--help"]);
  assert.equal(outcome.code, 0);
  assert.match(outcome.stdout, /\nExample:\n {2}mlp schema\n {2}mlp schema --check\n/);
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { IMMUTABLE_HINT } from "./dataset.ts";
import { readDatasetSchema } from "./dataset_schema.ts";
import { addIncoming, refusal, SCHEMA, tamperWith, withProject } from "./testing.ts";

Deno.test("readDatasetSchema() returns the schema the manifest vouches for, without hashing the tables", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    // A changed table is the full verification's business, not this one's.
    await tamperWith(root, hash, "train.csv", "x,y\n9,z\n");
    assert.deepEqual(await readDatasetSchema(root, hash), {
      schema: JSON.parse(SCHEMA),
      file: `data/shadow/${hash}/schema.json`,
    });
  });
});

Deno.test("readDatasetSchema() refuses a changed or replaced schema.json and a missing dataset", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    const file = `data/shadow/${hash}/schema.json`;
    await tamperWith(root, hash, "schema.json", '{"columns":[]}\n');
    const changed = await refusal(readDatasetSchema(root, hash));
    assert.match(changed.message, /^Dataset file changed since it was added: its SHA-256 is "/);
    assert.deepEqual(changed.location, { file });
    assert.equal(changed.hint, IMMUTABLE_HINT);

    await Deno.remove(join(root, file));
    await Deno.symlink(join(root, "incoming/train.csv"), join(root, file));
    const linked = await refusal(readDatasetSchema(root, hash));
    assert.equal(linked.message, "Dataset file is not a regular file");
    assert.deepEqual(linked.location, { file });

    const missing = await refusal(readDatasetSchema(root, "0".repeat(64)));
    assert.equal(missing.message, `Dataset "${"0".repeat(64)}" not found in data/shadow/`);
  });
});

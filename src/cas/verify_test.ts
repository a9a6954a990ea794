import assert from "node:assert/strict";
import { join } from "node:path";
import { CheckError, InputError } from "../errors.ts";
import { verifyDataset } from "./verify.ts";
import {
  addIncoming,
  refusal,
  SCHEMA,
  sha256,
  tamperWith,
  TEST,
  TRAIN,
  withProject,
} from "./testing.ts";

Deno.test("verifyDataset() returns the dataset's identity and reports progress", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    let last: [number, number] = [0, 0];
    const verified = await verifyDataset(root, hash, { onProgress: (d, t) => (last = [d, t]) });
    assert.equal(verified.hash, hash);
    assert.equal(verified.schemaHash, sha256(SCHEMA));
    assert.deepEqual(verified.tables, ["sub/test.csv", "train.csv"]);
    const bytes = SCHEMA.length + TEST.length + TRAIN.length;
    assert.equal(verified.bytes, bytes);
    assert.deepEqual(last, [bytes, bytes]);
  });
});

Deno.test("verifyDataset() names a file that changed, with both hashes", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    await tamperWith(root, hash, "sub/test.csv", "x,y\n4,d\n");
    const error = await refusal(verifyDataset(root, hash));
    assert.ok(error instanceof CheckError);
    assert.equal(error.exitCode, 1);
    assert.equal(error.location?.file, `data/shadow/${hash}/sub/test.csv`);
    assert.equal(
      error.message,
      `Dataset file changed since it was added: its SHA-256 is "${sha256("x,y\n4,d\n")}", ` +
        `MANIFEST.sha256 says "${sha256(TEST)}"`,
    );
    assert.match(error.hint!, /^datasets are immutable: restore the original file/);
  });
});

Deno.test("verifyDataset() refuses an extra file, a missing file and a symlink", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    const dir = join(root, "data/shadow", hash);
    await Deno.chmod(dir, 0o755);

    await Deno.writeTextFile(join(dir, "extra.csv"), TRAIN);
    let error = await refusal(verifyDataset(root, hash));
    assert.equal(error.message, "File is not listed in the dataset's MANIFEST.sha256");
    assert.equal(error.location?.file, `data/shadow/${hash}/extra.csv`);
    await Deno.remove(join(dir, "extra.csv"));

    await Deno.rename(join(dir, "train.csv"), join(root, "train.csv"));
    error = await refusal(verifyDataset(root, hash));
    assert.equal(error.message, "File listed in MANIFEST.sha256 is missing from the dataset");
    assert.equal(error.location?.file, `data/shadow/${hash}/train.csv`);

    // A symlink in place of the file, even to identical bytes, is refused.
    await Deno.symlink(join(root, "train.csv"), join(dir, "train.csv"));
    error = await refusal(verifyDataset(root, hash));
    assert.equal(error.message, "Dataset contains a symbolic link");
    assert.equal(error.location?.file, `data/shadow/${hash}/train.csv`);
  });
});

Deno.test("verifyDataset() refuses a malformed hash and names near misses of unknown ones", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    const bad = await refusal(verifyDataset(root, "../incoming"));
    assert.ok(bad instanceof InputError);
    assert.equal(
      bad.message,
      'Invalid dataset_version "../incoming": expected the dataset\'s SHA-256, 64 lowercase hexadecimal characters',
    );
    const typo = hash.slice(0, 63) + (hash[63] === "0" ? "1" : "0");
    const missing = await refusal(verifyDataset(root, typo));
    assert.equal(missing.message, `Dataset "${typo}" not found in data/shadow/`);
    assert.equal(
      missing.hint,
      `did you mean "${hash}"? \`mlp data ls\` lists the datasets; \`mlp data add PATH…\` adds one`,
    );
  });
});

Deno.test("verifyDataset() refuses a dataset directory that resolves outside data/shadow/", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    const shadow = join(root, "data/shadow");
    await Deno.chmod(join(shadow, hash), 0o755);
    await Deno.rename(join(shadow, hash), join(root, "elsewhere"));
    await Deno.symlink(`../../elsewhere`, join(shadow, hash));
    const error = await refusal(verifyDataset(root, hash));
    assert.equal(
      error.message,
      `Dataset directory "data/shadow/${hash}" is a symbolic link to "${
        join(root, "elsewhere")
      }", outside data/shadow/`,
    );
  });
});

Deno.test("verifyDataset() refuses a manifest that lists a path outside the dataset", async () => {
  await withProject(async (root) => {
    const manifest = `${sha256(TRAIN)}  ../../incoming/train.csv\n`;
    const hash = sha256(manifest);
    await Deno.mkdir(join(root, "data/shadow", hash), { recursive: true });
    await Deno.writeTextFile(join(root, "data/shadow", hash, "MANIFEST.sha256"), manifest);
    const error = await refusal(verifyDataset(root, hash));
    assert.equal(error.message, 'Manifest lists "../../incoming/train.csv", which contains ".."');
    assert.deepEqual(error.location, { file: `data/shadow/${hash}/MANIFEST.sha256`, line: 1 });
  });
});

Deno.test("verifyDataset() refuses a manifest edited after the add", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    const path = join(root, "data/shadow", hash, "MANIFEST.sha256");
    await Deno.chmod(path, 0o644);
    const edited = (await Deno.readTextFile(path)).replace(/^.*train\.csv\n/m, "");
    await Deno.writeTextFile(path, edited);
    const error = await refusal(verifyDataset(root, hash));
    assert.equal(
      error.message,
      `Manifest hashes to "${sha256(edited)}", not to the dataset's name "${hash}": ` +
        "it was edited or the directory was renamed",
    );
    assert.equal(error.location?.file, `data/shadow/${hash}/MANIFEST.sha256`);
  });
});

Deno.test("verifyDataset() refuses a dataset without schema.json", async () => {
  await withProject(async (root) => {
    const manifest = `${sha256(TRAIN)}  train.csv\n`;
    const hash = sha256(manifest);
    const dir = join(root, "data/shadow", hash);
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(join(dir, "MANIFEST.sha256"), manifest);
    await Deno.writeTextFile(join(dir, "train.csv"), TRAIN);
    const error = await refusal(verifyDataset(root, hash));
    assert.equal(error.message, `Dataset "${hash}" has no schema.json`);
  });
});

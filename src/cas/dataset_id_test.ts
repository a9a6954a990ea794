import assert from "node:assert/strict";
import { InputError } from "../errors.ts";
import { isDatasetHash, validateDatasetVersion } from "./dataset_id.ts";

const HASH = "0123456789abcdef".repeat(4);

function refusal(value: unknown): { message: string; hint?: string } {
  try {
    validateDatasetVersion(value, { file: "configs/experiment.yaml", line: 3 });
  } catch (error) {
    assert.ok(error instanceof InputError);
    assert.equal(error.exitCode, 2);
    assert.deepEqual(error.location, { file: "configs/experiment.yaml", line: 3 });
    return { message: error.message, hint: error.hint };
  }
  assert.fail("expected an InputError");
}

const LS = "`mlp data ls` lists the datasets in data/shadow/ with their hashes";

Deno.test("validateDatasetVersion() accepts 64 lowercase hex characters", () => {
  assert.equal(validateDatasetVersion(HASH), HASH);
  assert.equal(isDatasetHash(HASH), true);
  assert.equal(isDatasetHash(`${HASH}\n`), false);
});

Deno.test("validateDatasetVersion() says what a malformed value looks like", () => {
  const expected = (shown: string) =>
    `Invalid dataset_version ${shown}: expected the dataset's SHA-256, 64 lowercase hexadecimal characters`;
  assert.deepEqual(refusal(HASH.toUpperCase()), {
    message: expected(`"${HASH.toUpperCase()}"`),
    hint: "write the hash in lowercase",
  });
  assert.deepEqual(refusal(HASH.slice(0, 40)), {
    message: expected(`"${HASH.slice(0, 40)}"`),
    hint: `40 hexadecimal characters look like a git commit, not a dataset hash; ${LS}`,
  });
  assert.deepEqual(
    refusal(HASH.slice(0, 32)).hint,
    `32 hexadecimal characters look like an MD5 (as DVC uses), not a dataset hash; ${LS}`,
  );
  assert.deepEqual(
    refusal(HASH.slice(0, 12)).hint,
    `this looks like an abbreviated hash: use all 64 characters; ${LS}`,
  );
  assert.deepEqual(refusal(`${HASH}00`).hint, `the hash is too long; ${LS}`);
  assert.deepEqual(refusal(`sha256:${HASH}`).hint, 'remove the "sha256:" prefix');
  assert.deepEqual(refusal(` ${HASH} `).hint, "remove the surrounding whitespace");
  assert.deepEqual(refusal(1234), {
    message: expected("1234"),
    hint: `the value was read as a number: write the hash in quotes; ${LS}`,
  });
  assert.deepEqual(refusal(null).hint, `write the dataset hash as a string; ${LS}`);
  assert.deepEqual(refusal("shadow_v3"), {
    message: expected('"shadow_v3"'),
    hint: "datasets are named by content, not by version labels: add the files with " +
      `\`mlp data add PATH…\` and use the hash it prints; ${LS}`,
  });
  assert.deepEqual(refusal("../../etc").message, expected('"../../etc"'));
});

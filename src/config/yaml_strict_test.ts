import assert from "node:assert/strict";
import { InputError } from "../errors.ts";
import { parseYamlStrict } from "./yaml_strict.ts";

/** Runs `fn`, asserts it throws an InputError, and returns it. */
function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error: unknown) {
    assert.ok(error instanceof InputError, `expected InputError, got ${error}`);
    return error;
  }
  assert.fail("expected an InputError");
}

Deno.test("parseYamlStrict() returns plain values and locates values and keys", () => {
  const text = "# comment\nname: demo\nnested:\n  list: [1, two]\n  flag: true\nempty:\n";
  const doc = parseYamlStrict(text, "c.yaml");
  assert.deepEqual(doc.value, {
    name: "demo",
    nested: { list: [1, "two"], flag: true },
    empty: null,
  });
  assert.deepEqual(doc.locate([]), { line: 2, column: 1 });
  assert.deepEqual(doc.locate(["name"]), { line: 2, column: 7 });
  assert.deepEqual(doc.locate(["nested"]), { line: 4, column: 3 });
  assert.deepEqual(doc.locate(["nested", "list", 1]), { line: 4, column: 13 });
  assert.deepEqual(doc.locateKey(["nested", "flag"]), { line: 5, column: 3 });
  assert.deepEqual(doc.locateKey(["empty"]), { line: 6, column: 1 });
  assert.equal(doc.locate(["missing"]), undefined);
  assert.equal(doc.locate(["name", "deeper"]), undefined);
  assert.equal(doc.locateKey(["nested", "list", 0]), undefined);
});

Deno.test("parseYamlStrict() reads YAML 1.2: yes/no and dates stay strings", () => {
  const doc = parseYamlStrict("a: yes\nb: 2024-01-01\nc: 1e3\n", "c.yaml");
  assert.deepEqual(doc.value, { a: "yes", b: "2024-01-01", c: 1000 });
});

Deno.test("parseYamlStrict() gives an empty document the value null", () => {
  const doc = parseYamlStrict("# nothing\n", "c.yaml");
  assert.equal(doc.value, null);
});

Deno.test("parseYamlStrict() refuses a duplicate key with its file, line and column", () => {
  const error = inputError(() =>
    parseYamlStrict("a: 1\nb:\n  depth: 2\n  depth: 3\n", "configs/x.yaml")
  );
  assert.equal(error.message, 'Duplicate key "depth": a key may appear only once in a mapping');
  assert.deepEqual(error.location, { file: "configs/x.yaml", line: 4, column: 3 });
  assert.equal(error.hint, "remove or merge the repeated entries");
  assert.deepEqual(error.details, []);
});

Deno.test("parseYamlStrict() refuses a syntax error with its position", () => {
  const error = inputError(() => parseYamlStrict("a: 1\n\tb: 2\n", "c.yaml"));
  assert.equal(error.message, "Invalid YAML: Tabs are not allowed as indentation");
  assert.deepEqual(error.location, { file: "c.yaml", line: 2, column: 1 });
  assert.equal(error.hint, "fix the YAML syntax at the position shown");
});

Deno.test("parseYamlStrict() refuses anchors and aliases, listing each", () => {
  const error = inputError(() => parseYamlStrict("a: &base 1\nb: *base\n", "c.yaml"));
  assert.equal(
    error.message,
    'Anchor "&base" is not allowed: config values must be written literally',
  );
  assert.deepEqual(error.location, { file: "c.yaml", line: 1, column: 4 });
  assert.deepEqual(error.details, [
    'c.yaml:2:4: Alias "*base" is not allowed: config values must be written literally',
  ]);
  assert.equal(error.hint, "write every value literally where it is used");
});

Deno.test("parseYamlStrict() refuses tags, standard or custom", () => {
  const error = inputError(() => parseYamlStrict("a: !!str 5\nb: !secret x\n", "c.yaml"));
  assert.equal(
    error.message,
    'Tag "!!str" is not allowed: config values are plain YAML without tags',
  );
  assert.deepEqual(error.details, [
    'c.yaml:2:4: Tag "!secret" is not allowed: config values are plain YAML without tags',
  ]);
});

Deno.test("parseYamlStrict() refuses several documents and collection keys", () => {
  const docs = inputError(() => parseYamlStrict("a: 1\n---\nb: 2\n", "c.yaml"));
  assert.equal(docs.message, "More than one YAML document: a config file holds exactly one");
  assert.equal(docs.location?.line, 2);
  const key = inputError(() => parseYamlStrict("? [a, b]\n: 1\n", "c.yaml"));
  assert.equal(
    key.message,
    "Only plain scalar keys are allowed: a mapping or list cannot be a key",
  );
});

import assert from "node:assert/strict";
import { productionReferences } from "./production_paths.ts";

const lines = (path: string, text: string) =>
  productionReferences(path, text).map((problem) => problem.line);

Deno.test("productionReferences() finds the path written out, escaped, split or joined (an f-string field counts as empty)", () => {
  const source = [
    '"""Reads data/production."""',
    String.raw`A = "\x64ata\\production"`,
    'B = ("data" "/pro" "duction")',
    'C = f"data/{DIR}production"',
    'D = "data/./production/x.csv"',
    'E = os.path.join("metadata", "production")',
    'F = os.path.join("data", "productions")',
    "",
  ].join("\n");
  assert.deepEqual(lines("src/io.py", source), [1, 2, 3, 4, 5]);
});

Deno.test("productionReferences() joins parts in Python only; other files by the literal path", () => {
  assert.deepEqual(lines("src/io.yaml", 'dir: ["data", "production"]\npath: data/production\n'), [
    2,
  ]);
  assert.deepEqual(lines("src/io.py", 'x = ("data", 1)\ny = "production"\n'), []);
});

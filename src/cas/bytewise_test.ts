import assert from "node:assert/strict";
import { compareBytewise } from "./bytewise.ts";

Deno.test("compareBytewise() orders like the UTF-8 bytes (LC_ALL=C sort)", () => {
  // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in bytes, but after it
  // in JavaScript's default UTF-16 order.
  const names = ["😀.csv", "～.csv", "b", "B", "a/b", "a.b", "a", ""];
  assert.deepEqual(names.sort(compareBytewise), [
    "",
    "B",
    "a",
    "a.b",
    "a/b",
    "b",
    "～.csv",
    "😀.csv",
  ]);
  assert.equal(compareBytewise("x", "x"), 0);
});

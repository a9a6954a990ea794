import assert from "node:assert/strict";
import { formatBytes, formatProgress } from "./progress.ts";

Deno.test("formatBytes() uses binary units with one decimal", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(2 * 1024 ** 3), "2.0 GiB");
});

Deno.test("formatProgress() shows done, total and a floored percentage", () => {
  assert.equal(formatProgress("hashing", 512, 1024), "hashing 512 B / 1.0 KiB (50%)");
  assert.equal(formatProgress("hashing", 1023, 1024), "hashing 1023 B / 1.0 KiB (99%)");
  assert.equal(formatProgress("hashing", 0, 0), "hashing 0 B / 0 B (100%)");
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { CHUNK_SIZE, hashFile } from "./hash_file.ts";
import { hashFiles } from "./hash_files.ts";

async function sha256sum(path: string): Promise<string> {
  const output = await new Deno.Command("sha256sum", { args: [path] }).output();
  assert.equal(output.code, 0);
  return new TextDecoder().decode(output.stdout).split(" ")[0];
}

function pseudoRandom(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

Deno.test("hashFile() equals sha256sum for empty, small, chunk-sized and multi-chunk files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const size of [0, 1, 1000, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE + 12345]) {
      const path = join(dir, `f${size}`);
      await Deno.writeFile(path, pseudoRandom(size, size));
      const expected = await sha256sum(path);
      assert.equal(await hashFile(path), expected, `size ${size}`);
      let seen = 0;
      assert.equal(await hashFile(path, size, (n) => (seen += n)), expected);
      assert.equal(seen, size);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hashFiles() returns hashes in input order and reports progress to the total", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = [];
    for (let i = 0; i < 20; i++) {
      const path = join(dir, `f${i}`);
      const size = i === 7 ? CHUNK_SIZE * 2 + 3 : i * 100;
      await Deno.writeFile(path, pseudoRandom(size, i + 1));
      files.push({ path, size });
    }
    const progress: [number, number][] = [];
    const hashes = await hashFiles(files, {
      concurrency: 3,
      onProgress: (done, total) => progress.push([done, total]),
    });
    assert.deepEqual(hashes, await Promise.all(files.map((file) => sha256sum(file.path))));
    const total = files.reduce((sum, file) => sum + file.size, 0);
    assert.deepEqual(progress.at(-1), [total, total]);
    assert.ok(progress.every(([done], i) => i === 0 || done >= progress[i - 1][0]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hashFiles() stops before reading a file once its signal is aborted", async () => {
  const controller = new AbortController();
  controller.abort(new Error("interrupted"));
  await assert.rejects(
    hashFiles([{ path: "/nonexistent/mlp-test", size: 1 }], { signal: controller.signal }),
    new Error("interrupted"),
  );
});

Deno.test("hashFiles() rejects with the first read error", async () => {
  await assert.rejects(
    hashFiles([{ path: "/nonexistent/mlp-test", size: 1 }]),
    Deno.errors.NotFound,
  );
  assert.deepEqual(await hashFiles([]), []);
});

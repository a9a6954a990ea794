/**
 * Test helpers: a temporary directory holding given files, and SHA-256 of a text.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";

/** SHA-256 hex of a text's UTF-8 bytes. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Writes `files` (relative path → text) into a new temporary directory, runs `fn`, removes it. */
export async function withFiles(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mlp-files-" });
  try {
    for (const [path, text] of Object.entries(files)) {
      await Deno.mkdir(dirname(join(dir, path)), { recursive: true });
      await Deno.writeTextFile(join(dir, path), text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The dependency fingerprint: the SHA-256 of the project's `uv.lock`, which pins every Python
 * package a run uses (uv refuses to run with `--locked` when the lock is stale).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { CheckError } from "../errors.ts";
import { projectPaths } from "../project/paths.ts";

/** SHA-256 of lock file bytes, lowercase hex. */
export function lockHash(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The `dependency_lock_hash` of the project at `root`.
 *
 * @throws {CheckError} when `uv.lock` does not exist.
 */
export async function projectLockHash(root: string): Promise<string> {
  try {
    return lockHash(await Deno.readFile(projectPaths(root).lock));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new CheckError('The project has no "uv.lock": runs record the exact dependencies', {
      hint: "run `uv lock` in the project and commit uv.lock",
    });
  }
}

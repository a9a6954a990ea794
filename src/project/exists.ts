/**
 * Whether a path exists. The Deno standard library has this as `@std/fs/exists`, but JSR is
 * unreachable for us, and node:fs's `existsSync` blocks and hides permission errors.
 *
 * @module
 */

/**
 * Resolves true when `path` exists (a symlink counts, even a dangling one), false when it does
 * not; any other error (a permission denied, say) is thrown, never taken for "absent".
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

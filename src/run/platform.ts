/**
 * The Python half of mlp (supervisor, trainer, sandbox, dataset loader) ships inside mlp and is
 * written into the project's `.mlp/platform/<hash>/` before use: Python cannot import from a
 * compiled Deno binary's embedded files, and a content-addressed copy means a run always uses
 * exactly the platform code of the mlp that started it.
 *
 * @module
 */
import { join } from "node:path";
import { MLP_SOURCE_DIR, readPlatformSources, sourceTreeHash } from "../fingerprint/mlp_build.ts";
import { exists } from "../project/exists.ts";

/**
 * Writes the platform package (its modules and the contract files they read) into
 * `<stateDir>/platform/<hash>/mlp_platform/` unless it is already there, and returns the
 * directory to put on PYTHONPATH.
 */
export async function materializePlatform(stateDir: string): Promise<string> {
  const files = await readPlatformSources(MLP_SOURCE_DIR);
  // The directory is named by the Python half of the run's `mlp_build`, so the two can be matched.
  const dir = join(stateDir, "platform", sourceTreeHash(files).slice(0, 16));
  const done = join(dir, ".complete");
  if (await exists(done)) return dir;
  // Write to a temporary sibling and rename, so a concurrent or interrupted run never sees half a
  // package.
  await Deno.mkdir(join(stateDir, "platform"), { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: join(stateDir, "platform"), prefix: ".tmp-" });
  try {
    await Deno.mkdir(join(tmp, "mlp_platform"));
    for (const [name, bytes] of files) {
      await Deno.writeFile(join(tmp, "mlp_platform", name), bytes);
    }
    await Deno.writeTextFile(join(tmp, ".complete"), "");
    await Deno.rename(tmp, dir);
  } catch (error) {
    // A full disk stops the copy too: no half-written package may stay behind.
    await Deno.remove(tmp, { recursive: true });
    if (!(error instanceof Deno.errors.AlreadyExists) && !(await exists(done))) throw error;
  }
  return dir;
}

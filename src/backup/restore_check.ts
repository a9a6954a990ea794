/**
 * The restore test every backup passes before it is kept: the backup restored into a scratch
 * directory and read back through the official MLflow client by the platform Python
 * (`mlp_platform/restore_check.py`), run by run against the backup's own snapshot.
 *
 * @module
 */
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import type { ManifestEntry } from "../cas/manifest.ts";
import { MANIFEST_NAME } from "../cas/manifest.ts";
import {
  parseEventLine,
  type RestoreCheckedEvent,
  restoreCheckedEventSchema,
} from "../contract/events.ts";
import { projectPaths } from "../project/paths.ts";
import { materializePlatform } from "../run/platform.ts";
import { spawnPlatformPython } from "../run/platform_python.ts";
import { copyOut } from "./restore.ts";
import { STORE_FILE } from "./layout.ts";

/**
 * Restores the backup `dir` (whose files are `entries`) into a new scratch directory, compares it
 * with the backup's snapshot through MLflow, removes the scratch directory and returns what the
 * comparison found.
 *
 * @param root The project whose locked environment runs the check.
 * @param scratchParent Where the scratch directory goes (the system's temporary folder by default):
 *   a new backup puts it in its own staging copy, so that a backup killed half-way leaves it where
 *   the next backup removes it.
 * @throws {CheckError} when the check could not run (uv missing, MLflow failing to open the copy)
 */
export async function checkRestore(
  dir: string,
  entries: readonly ManifestEntry[],
  root: string,
  scratchParent?: string,
): Promise<RestoreCheckedEvent> {
  const scratch = await Deno.makeTempDir({ dir: scratchParent, prefix: "mlp-restore-test-" });
  try {
    await copyOut(dir, entries, scratch);
    const child = spawnPlatformPython({
      root,
      platformDir: await materializePlatform(projectPaths(root).state),
      module: "restore_check",
      args: [join(dir, STORE_FILE), join(dir, MANIFEST_NAME)],
      cwd: scratch,
      env: { MLFLOW_TRACKING_URI: `sqlite:///${join(scratch, STORE_FILE)}` },
      // Never written: its end tells the check that mlp is gone (exit_when_stdin_closes).
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    });
    const [stdout, stderr, status] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.status,
    ]);
    await child.stdin.close().catch(() => {});
    const event = stdout.split("\n").map((line) =>
      parseEventLine(restoreCheckedEventSchema, line, "restore_check")
    ).find((e) => e !== undefined);
    if (!status.success || !event) {
      throw new CheckError(
        `The restore test could not run: MLflow exited with code ${status.code} reading the restored copy`,
        {
          details: stderr.trim().split("\n").slice(-5),
          hint: "check that `uv sync --locked` succeeds in the project; the backup was not kept",
        },
      );
    }
    return event;
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}

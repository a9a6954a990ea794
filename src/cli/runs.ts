/**
 * `mlp runs repair`: reconcile the store on demand and say what changed.
 *
 * @module
 */
import type { Command } from "commander";
import { relative } from "node:path";
import { InputError } from "../errors.ts";
import { findProjectRoot } from "../project/paths.ts";
import { endRuns, reconcileStore } from "../runs/reconcile.ts";
import { storeScope } from "../runs/open_store.ts";
import { resolveTrackingUri } from "../run/tracking_uri.ts";
import { openRunReader } from "../tracking/reader.ts";
import { sqliteFile } from "../run/store_file.ts";
import { closeAbandonedRunDirs } from "../runs/run_dirs.ts";
import { printOut } from "./output.ts";

interface RepairFlags {
  kill: string[];
  json?: boolean;
}

/** Registers `mlp runs repair` on the program. */
export function registerRuns(program: Command): void {
  program
    .command("runs")
    .description("Look after the runs in the project's MLflow store.")
    .command("repair")
    .description(
      "End runs left RUNNING by a process that no longer exists, and tidy .mlp/runs/.",
    )
    .option(
      "--kill <run-id>",
      "also end this RUNNING run KILLED (one whose owner mlp cannot check, e.g. on another host)",
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option("--json", "print what changed as JSON")
    .addHelpText(
      "after",
      `
Every mlp command that opens the store does the same first; this does it on demand. A run is
ended KILLED, with the tag mlp.end_reason, when its supervisor no longer holds the lock it
recorded on the run (.mlp/runs/<dir>/supervisor.lock). Runs mlp cannot judge (no owner recorded,
another machine's run in a shared store) are listed, not changed.

Example:
  mlp runs repair
  mlp runs repair --kill 0123456789abcdef0123456789abcdef`,
    )
    .action(async (flags: RepairFlags) => {
      for (const id of flags.kill) {
        if (!/^[0-9a-f]{32}$/.test(id)) {
          throw new InputError(`--kill "${id}" is not an MLflow run ID`, {
            hint: "a run ID is 32 lowercase hex characters, as `mlp run` prints it",
          });
        }
      }
      const root = findProjectRoot();
      const env = Deno.env.toObject();
      const uri = resolveTrackingUri(env.MLFLOW_TRACKING_URI);
      const file = sqliteFile(root, uri);
      if (file && !(await exists(file))) {
        // An mlp killed before its first run created the store: no run to end, directories to tidy.
        const runDirs = await closeAbandonedRunDirs(root);
        if (flags.json) {
          printOut(JSON.stringify({ ended: [], unjudged: [], runDirs }));
          return;
        }
        for (const dir of runDirs) printOut(`tidied ${dir}`);
        printOut(`nothing to end: the project has no MLflow store yet (${relative(root, file)})`);
        return;
      }
      const reader = openRunReader(uri, root, env);
      try {
        const result = await reconcileStore(root, uri, reader, storeScope(root, uri));
        const forced = result.unjudged.filter((run) => flags.kill.includes(run.runId));
        const killed = await endRuns(
          root,
          uri,
          forced.map((run) => ({
            runId: run.runId,
            status: "KILLED",
            reason: `left RUNNING (${run.why}); ended with mlp runs repair --kill`,
          })),
        );
        const ended = [
          ...result.ended,
          ...killed.map((r) => ({ ...r, why: "ended with mlp runs repair --kill" })),
        ].filter((r) => r.changed);
        const unjudged = result.unjudged.filter((run) => !flags.kill.includes(run.runId));
        if (flags.json) {
          printOut(JSON.stringify({ ended, unjudged, runDirs: result.runDirs }));
          return;
        }
        for (const run of ended) printOut(`ended ${run.runId}: ${run.status} (${run.why})`);
        for (const run of unjudged) {
          printOut(
            `left ${run.runId} RUNNING: ${run.why}; end it with \`mlp runs repair --kill ${run.runId}\` once its process is gone`,
          );
        }
        for (const dir of result.runDirs) printOut(`tidied ${dir}`);
        const handled = new Set([...ended, ...forced].map((run) => run.runId));
        for (const id of flags.kill.filter((id) => !handled.has(id))) {
          printOut(
            `left ${id} as it is: --kill ends only a RUNNING run whose owner mlp cannot check ` +
              "(a live run, or one that has ended, is not touched)",
          );
        }
        if (ended.length + unjudged.length + result.runDirs.length === 0) {
          printOut("nothing to repair: no run is left RUNNING by a process that is gone");
        }
      } finally {
        reader.close();
      }
    });
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

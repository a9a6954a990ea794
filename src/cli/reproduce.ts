/**
 * `mlp reproduce RUN_ID`: make a run again from its record alone and compare the two.
 *
 * @module
 */
import type { Command } from "commander";
import { CheckError, InputError } from "../errors.ts";
import { findProjectRoot } from "../project/paths.ts";
import { reproduceRun, type ReproductionReport } from "../reproduce/reproduce.ts";
import { differencesTable } from "../reproduce/compare.ts";
import { printErr, printOut } from "./output.ts";

interface ReproduceFlags {
  data?: string;
  anyMlp?: boolean;
  json?: boolean;
}

/** Registers `mlp reproduce` on the program. */
export function registerReproduce(program: Command): void {
  program
    .command("reproduce")
    .description(
      "Run a FINISHED run again from its record (commit, uv.lock, dataset, mlp build) and compare.",
    )
    .argument("<run-id>", "the MLflow run ID to reproduce")
    .option("--data <dir>", "where the run's dataset <hash>/ is (default: data/shadow/)")
    .option("--any-mlp", "go on when this mlp's build is not the run's (the build then differs)")
    .option("--json", "print the verdict as JSON")
    .addHelpText(
      "after",
      `
The run's commit is checked out in a temporary worktree (removed afterwards, Ctrl-C included),
its uv.lock must hash to the recorded dependency_lock_hash and is installed into a scratch
environment, the dataset is verified by its hash, and the experiment is run there with the run's
config and baseline, recorded in the same store as a run of its own, tagged
mlp.reproduces=<run id> and mlp.reproduction_verdict=reproduced|differs. Every metric (the
timings training_time_s and inference_latency_ms excepted), every fingerprint and every param
is compared exactly. Exit codes: 0 reproduced; 1 differs (a table of the differences), or
refused (not FINISHED, a dirty tree, another mlp build without --any-mlp, a lock or dataset that
does not match); 2 invalid arguments; 130 interrupted.

Example:
  mlp reproduce 0123456789abcdef0123456789abcdef
  mlp reproduce 0123456789abcdef0123456789abcdef --data /mnt/backup/data/shadow --json`,
    )
    .action(async (runId: string, flags: ReproduceFlags) => {
      if (!/^[0-9a-f]{32}$/.test(runId)) {
        throw new InputError(`"${runId}" is not an MLflow run ID`, {
          hint: "a run ID is 32 lowercase hex characters, as `mlp run` prints it",
        });
      }
      const report = await reproduceRun({
        root: findProjectRoot(),
        runId,
        dataDir: flags.data,
        anyMlp: flags.anyMlp ?? false,
        env: Deno.env.toObject(),
        log: printErr,
      });
      print(report, flags.json ?? false);
    });
}

function print(report: ReproductionReport, json: boolean): void {
  if (json) printOut(JSON.stringify(report));
  if (report.ignored.length > 0) {
    printErr(`mlp: not compared (timings, never the same twice): ${report.ignored.join(", ")}`);
  }
  if (report.verdict === "reproduced") {
    printErr(
      `mlp: run ${report.reproductionRunId} reproduces ${report.runId}: ${report.compared} ` +
        "values identical",
    );
    if (!json) printOut("reproduced");
    return;
  }
  if (!json) { for (const line of differencesTable(report.differences)) printOut(line); }
  throw new CheckError(
    `Run ${report.reproductionRunId} differs from ${report.runId} in ` +
      `${report.differences.length} of ${report.compared} values`,
    {
      hint: "the table lists each difference; both runs are in the store " +
        "(mlp.reproduction_verdict=differs)",
    },
  );
}

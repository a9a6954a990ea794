/**
 * `mlp verify-run`: does an MLflow run prove a commit? The check the merge gate runs.
 *
 * @module
 */
import type { Command } from "commander";
import { InputError } from "../errors.ts";
import { commitParents, verifyMergeCommit } from "../merge/prove_merge.ts";
import { verifyRun } from "../merge/verify_run.ts";
import { findProjectRoot } from "../project/paths.ts";
import { openGateStore } from "../merge/gate_store.ts";
import { printErr } from "./output.ts";

interface VerifyRunFlags {
  commit: string;
  run?: string;
  json?: boolean;
}

/** Registers `mlp verify-run` on the program. */
export function registerVerifyRun(program: Command): void {
  program
    .command("verify-run")
    .description(
      "Check that an MLflow run FINISHED at a commit on a clean tree with the commit's fingerprints.",
    )
    .option("--commit <rev>", "the commit to prove", "HEAD")
    .option("--run <id>", "the MLflow run ID (default: the runs noted on the commit)")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
The run must be FINISHED, with git_commit equal to the commit, git_dirty=false, and
dependency_lock_hash, dataset_hash, feature_pipeline_hash, project_code_hash and every protected.*
param equal to what the commit's tree gives. For a merge commit, each merged tip is proven so (by
--run, else the runs named in the merge message or noted on the tip), and the merge's tree must
equal the proven tip's on src/, configs/, data/, uv.lock, pyproject.toml and .python-version: a
merge edited while resolving, or amended afterwards, is refused. Runs are read from the store configs/project_standards.yaml names (tracking_store; the project's mlflow.db by default); MLFLOW_TRACKING_URI may only name that same store.

Example:
  mlp verify-run --commit feature/lags
  mlp verify-run --commit 3f2a9c1 --run 0123456789abcdef0123456789abcdef --json`,
    )
    .action(async (flags: VerifyRunFlags) => {
      if (flags.run !== undefined && !/^[0-9a-f]{32}$/.test(flags.run)) {
        throw new InputError(`--run "${flags.run}" is not an MLflow run ID`, {
          hint: "a run ID is 32 lowercase hex characters, as `mlp run` prints it",
        });
      }
      const root = findProjectRoot();
      const env = Deno.env.toObject();
      const reader = await openGateStore(root, env, printErr);
      try {
        if ((await commitParents(root, flags.commit)).length > 1) {
          const proof = await verifyMergeCommit(root, flags.commit, reader, flags.run);
          console.log(
            flags.json
              ? JSON.stringify(proof)
              : proof.tips.map((tip) =>
                `Merge ${proof.merge}: tip ${tip.commit} is proven by MLflow run ${tip.runId}`
              ).join("\n"),
          );
          return;
        }
        const result = await verifyRun(root, { commit: flags.commit, runId: flags.run, reader });
        console.log(
          flags.json
            ? JSON.stringify(result)
            : `Commit ${result.commit} is proven by MLflow run ${result.runId}`,
        );
      } finally {
        reader.close();
      }
    });
}

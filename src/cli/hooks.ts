/**
 * `mlp hooks install`, and `mlp hook pre-commit` / `mlp hook pre-merge-commit`, which the thin
 * scripts in `.githooks/` exec.
 *
 * @module
 */
import type { Command } from "commander";
import { CheckError } from "../errors.ts";
import { isAgentOperator } from "../config/reasoning.ts";
import { installHooks } from "../hooks/install.ts";
import { preCommit } from "../hooks/pre_commit.ts";
import { commitMsg, preMergeCommit } from "../hooks/pre_merge_commit.ts";
import type { VerifyResult } from "../merge/verify_run.ts";
import type { RunReader } from "../tracking/run_record.ts";
import { findProjectRoot } from "../project/paths.ts";
import { openGateStore } from "../merge/gate_store.ts";
import { printErr } from "./output.ts";
import { printFindings } from "./findings.ts";
import { registerClaudeHook } from "./claude_hook.ts";

/** Registers `mlp hooks install` and `mlp hook <name>` on the program. */
export function registerHooks(program: Command): void {
  program
    .command("hooks")
    .description("Manage the project's git hooks.")
    .command("install")
    .description(
      "Point git at .githooks/ (core.hooksPath), record this mlp for the hooks (mlp.path) and turn off fast-forward merges (merge.ff=false).",
    )
    .addHelpText(
      "after",
      `
The hooks run the mlp recorded in the clone's .git/config (mlp.path), never one named by an
environment variable or found on PATH: run this again with the mlp you use after moving or
reinstalling it. A fast-forward merge creates no merge commit, so git would never run the merge
gate: that is why merge.ff is set to false. Run once per clone.

Example:
  mlp hooks install`,
    )
    .action(async () => {
      for (const line of await installHooks(findProjectRoot())) console.log(line);
    });

  const hook = program
    .command("hook")
    .description(
      "Run a hook's checks (git calls these through .githooks/, Claude Code `hook claude`).",
    );

  registerClaudeHook(hook);

  hook
    .command("pre-commit")
    .description(
      "Check the staged changes: protected fields, configs, training guard, override log, datasets, production data.",
    )
    .allowExcessArguments(true)
    .addHelpText(
      "after",
      `
Checks what the commit records (the index), not the work tree. Each problem is printed as
file:line: message, with how to proceed.

Example:
  git add src/features.py && mlp hook pre-commit`,
    )
    .action(async () => {
      const agent = isAgentOperator(Deno.env.toObject());
      const findings = await preCommit(findProjectRoot(), { agent });
      printFindings(findings);
      if (findings.length > 0) {
        const count = findings.length === 1 ? "1 problem" : `${findings.length} problems`;
        throw new CheckError(`Commit refused: ${count} in the staged changes (listed above)`, {
          hint: "fix each one as described, `git add` the fix, and commit again",
        });
      }
    });

  hook
    .command("pre-merge-commit")
    .description("Refuse a merge unless an MLflow run proves the merged branch tip.")
    .allowExcessArguments(true)
    .addHelpText(
      "after",
      `
The run ID comes from the git note that \`mlp run\` attaches (refs/notes/mlflow). Git does not
show this hook the merge message: when no note proves the tip, the commit-msg hook (if
installed) decides with the "MLflow-Run: <id>" lines of the message. The MLflow store is the
one configs/project_standards.yaml names (tracking_store: the project's mlflow.db by default), read
directly and read-only; MLFLOW_TRACKING_URI may only name that same store.

Example:
  git merge --no-ff feature/lags -m "Merge feature/lags" -m "MLflow-Run: 3f2a…"`,
    )
    .action(async () => {
      const env = Deno.env.toObject();
      await withReader(findProjectRoot(), env, async (root, reader) => {
        const results = await preMergeCommit(root, reader, env);
        if (results === null) {
          console.error(
            "mlp: no git note proves the merge; the commit-msg hook checks its message",
          );
        } else {
          reportProofs(results);
        }
      });
    });

  hook
    .command("commit-msg")
    .description(
      "When a commit concludes a merge, refuse it unless an MLflow run proves each merged tip.",
    )
    .argument("<message-file>", "the file holding the commit message (git passes it)")
    .addHelpText(
      "after",
      `
Runs for every commit; only a commit that concludes a merge (MERGE_HEAD exists) is checked, with
the run IDs on "MLflow-Run: <id>" lines of the message and in the tips' git notes.

Example:
  git commit -m "Merge feature/lags" -m "MLflow-Run: 3f2a…"   # after resolving conflicts`,
    )
    .action(async (messageFile: string) => {
      const env = Deno.env.toObject();
      const root = findProjectRoot();
      const open = () => openGateStore(root, env, printErr);
      const results = await commitMsg(root, messageFile, open);
      if (results !== null) reportProofs(results);
    });
}

async function withReader(
  root: string,
  env: Record<string, string>,
  use: (root: string, reader: RunReader) => Promise<void>,
): Promise<void> {
  const reader = await openGateStore(root, env, printErr);
  try {
    await use(root, reader);
  } finally {
    reader.close();
  }
}

function reportProofs(results: VerifyResult[]): void {
  for (const result of results) {
    console.error(
      `mlp: merge of ${result.commit.slice(0, 12)} proven by MLflow run ${result.runId}`,
    );
  }
}

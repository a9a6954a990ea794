/**
 * `mlp run`: parse the flags, run the experiment, print the outcome.
 *
 * @module
 */
import type { Command } from "commander";
import { CheckError } from "../errors.ts";
import { findProjectRoot } from "../project/paths.ts";
import { runExperiment, type RunOptions, type RunOutcome } from "../run/run_experiment.ts";
import { elsewhereLine, outcomeLine } from "../outcome/line.ts";
import { warnIfBackupOld } from "../backup/state.ts";
import { printErr, printOut } from "./output.ts";

/** Exit code of a run that was interrupted (128 + SIGINT), as shells report it. */
const INTERRUPTED_EXIT = 130;

/** The command line's options: the run's own, and how to print its outcome. */
type RunFlags = Omit<RunOptions, "root" | "env" | "log" | "cost"> & {
  json?: boolean;
  tokensUsed?: string;
  estimatedCost?: string;
  agentModel?: string;
};

/** Registers `mlp run` on the program. */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description(
      "Validate, fingerprint and train one experiment in the sandbox, recorded as one MLflow run.",
    )
    .option("-c, --config <path>", "experiment config", "configs/experiment.yaml")
    .option("--reasoning <path>", "reasoning metadata", "configs/reasoning.yaml")
    .option(
      "--override-protected",
      "run although protected fields differ (needs --reason; audited)",
    )
    .option("--unsandboxed", "run without the OS sandbox (needs --reason; audited)")
    .option(
      "--reason <text>",
      "why an escape hatch is used: recorded in logs/protected_overrides.log",
    )
    .option(
      "--sign-key <path>",
      "with --override-protected: the approver's SSH key that signs the override " +
        "(default: git's user.signingkey when gpg.format is ssh)",
    )
    .option(
      "--run-name <name>",
      "MLflow run name (default: the hypothesis category and the change description's first words)",
    )
    .option("--tokens-used <n>", "tokens the agent used for this experiment (agent.tokens.total)")
    .option("--estimated-cost <usd>", "what the agent's work cost, in USD (agent.cost_usd)")
    .option("--agent-model <model>", "the model the agent ran on (agent.model)")
    .option("--json", "print a JSON summary instead of the run ID")
    .addHelpText(
      "after",
      `
A finished run's outcome against the best earlier comparable run is the line before the run ID,
e.g. "roc_auc 0.7812  +0.0043 vs 1a2b3c4d (±0.0019, p=0.01): confirmed" (docs/outcome.md).
The run ID is the last line of stdout. Exit codes: 0 FINISHED; 1 refused or FAILED; 2 invalid
configs or flags; 130 interrupted (the run is recorded KILLED). An agent's run is refused (1)
once the project's agent spend this ISO week exceeds agent_budget.weekly_usd. Under Claude Code
the agent's tokens are read from the session transcript; the cost flags win (docs/cost.md).

Example:
  mlp run --config configs/experiment.yaml
  mlp run --override-protected --reason "approved by J. Doe: regulator asks for temporal CV"
  mlp run --override-protected --reason "temporal CV for the regulator" --sign-key ~/.ssh/id_ed25519

When configs/project_standards.yaml on the main branch lists approvers, an override must be
signed by one of them who may approve overrides (ssh-keygen -Y sign, namespace mlp-approval);
otherwise it is recorded unsigned, with a warning (docs/governance.md, "Signed approvals").`,
    )
    .action(async ({ json, tokensUsed, estimatedCost, agentModel, ...options }: RunFlags) => {
      const root = findProjectRoot();
      const outcome = await runExperiment({
        ...options,
        cost: { tokensUsed, estimatedCost, agentModel },
        root,
        env: Deno.env.toObject(),
        log: printErr,
      });
      // Once a run is recorded: a refused run (bad input, a check) says only why it was refused.
      await warnIfBackupOld(root, printErr);
      report(outcome, json ?? false);
    });
}

function report(outcome: RunOutcome, json: boolean): void {
  if (outcome.status === "FINISHED") {
    for (const [name, value] of Object.entries(outcome.metrics)) {
      printErr(`  ${name.padEnd(22)} ${formatNumber(value)}`);
    }
    if (outcome.gitDirty) {
      printErr(
        "mlp: the working tree was dirty, so this run cannot prove a merge: commit, then run again",
      );
    } else if (outcome.noteAttached) {
      printErr(
        `mlp: run attached to ${outcome.gitCommit.slice(0, 12)} (git notes --ref=mlflow)`,
      );
    }
  }
  if (outcome.outcome !== null) {
    const elsewhere = elsewhereLine(outcome.outcome);
    if (elsewhere !== null) printErr(elsewhere);
    // The line to act on, just before the run ID (which stays the last line of stdout).
    if (!json) printOut(outcomeLine(outcome.outcome));
  }
  printOut(json ? JSON.stringify(outcome) : outcome.runId);
  if (outcome.status === "KILLED") {
    printErr(
      outcome.interrupted
        ? `mlp: run ${outcome.runId} was interrupted by ${outcome.interrupted} and is recorded KILLED`
        : `mlp: run ${outcome.runId} was stopped (${
          outcome.error ?? "killed"
        }) and is recorded KILLED`,
    );
    Deno.exitCode = INTERRUPTED_EXIT;
  } else if (outcome.interrupted) {
    printErr(
      `mlp: ${outcome.interrupted} arrived as run ${outcome.runId} ended: it is recorded ${outcome.status}`,
    );
    Deno.exitCode = INTERRUPTED_EXIT;
  } else if (outcome.status === "FAILED") {
    throw new CheckError(
      `Run ${outcome.runId} FAILED: ${outcome.error ?? "see the output above"}`,
      {
        hint:
          "the traceback is the run's artifact error/traceback.txt; fix the cause and run again",
      },
    );
  }
}

/** A metric for the terminal; `null` is a metric the scored rows do not define (one class). */
function formatNumber(value: number | null): string {
  if (value === null) return "undefined";
  return Number.isInteger(value) ? String(value) : value.toFixed(6);
}

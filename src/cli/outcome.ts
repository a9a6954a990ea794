/**
 * `mlp outcome RUN_ID confirmed|neutral|negative --reason "…"`: a person's correction of the
 * outcome mlp computed (logic in `src/outcome/correct.ts`, docs/outcome.md).
 *
 * @module
 */
import type { Command } from "commander";
import { findProjectRoot } from "../project/paths.ts";
import { correctOutcome } from "../outcome/correct.ts";
import { printOut } from "./output.ts";

/** Registers `mlp outcome` on the program. */
export function registerOutcome(program: Command): void {
  program
    .command("outcome")
    .description("Correct the outcome mlp computed for a run (a person only; audited).")
    .argument("<run-id>", "the MLflow run ID `mlp run` printed")
    .argument("<outcome>", "confirmed, neutral or negative")
    .option("--reason <text>", "why the computed outcome is wrong: recorded in the audit log")
    .addHelpText(
      "after",
      `
The computed outcome (tag mlp.outcome, sealed) stays; the correction is the tags
mlp.outcome.corrected, mlp.outcome.corrected_by and mlp.outcome.corrected_reason, and an
"outcome_correction" entry of logs/protected_overrides.log (commit it). Refused for an AI agent.

Example:
  mlp outcome 0123456789abcdef0123456789abcdef confirmed --reason "validator: holds on hold-out"`,
    )
    .action(async (runId: string, outcome: string, { reason }: { reason?: string }) => {
      const done = await correctOutcome({
        root: findProjectRoot(),
        env: Deno.env.toObject(),
        runId,
        outcome,
        reason,
      });
      printOut(`${done.runId}: outcome ${done.outcome} (computed: ${done.computed ?? "none"})`);
    });
}

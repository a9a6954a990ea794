/**
 * `mlp validate`: checks the project's configs without running anything.
 *
 * @module
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { loadRunConfigs } from "../config/load.ts";
import { isAgentOperator } from "../config/reasoning.ts";
import { findProjectRoot } from "../project/paths.ts";

/** Adds `mlp validate` to the command tree. */
export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description(
      "Check experiment.yaml and reasoning.yaml against the project's project_standards.yaml.",
    )
    .option("--config <path>", "experiment config to check (default: configs/experiment.yaml)")
    .option("--reasoning <path>", "reasoning file to check (default: configs/reasoning.yaml)")
    .addHelpText(
      "after",
      "\nEvery problem is listed with its file, line and field; exit code 2 when any is found.\n" +
        "expected_effect is required in reasoning.yaml when an agent runs mlp (MLP_AGENT=1, CLAUDECODE=1, CODEX_*).\n" +
        "\nExample:\n  mlp validate\n  mlp validate --config configs/experiment_shallow.yaml\n",
    )
    .action(async (options: { config?: string; reasoning?: string }) => {
      const root = findProjectRoot();
      // Paths given on the command line are relative to where the user stands; the defaults
      // are relative to the project root.
      const { files } = await loadRunConfigs(root, {
        config: options.config && resolve(options.config),
        reasoning: options.reasoning && resolve(options.reasoning),
        agent: isAgentOperator(Deno.env.toObject()),
      });
      console.log(
        `ok: ${files.experiment}, ${files.reasoning} and ${files.standards} are valid`,
      );
    });
}

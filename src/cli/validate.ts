/**
 * `mlp validate`: checks the project's configs without running anything.
 *
 * @module
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { isAgentOperator } from "../config/reasoning.ts";
import { validateProject } from "../config/validate_project.ts";
import { findProjectRoot } from "../project/paths.ts";

/** Adds `mlp validate` to the command tree. */
export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description(
      "Check the configs as `mlp run` and the pre-commit hook do: validity, protected fields, the dataset's columns.",
    )
    .option("--config <path>", "experiment config to check (default: configs/experiment.yaml)")
    .option("--reasoning <path>", "reasoning file to check (default: configs/reasoning.yaml)")
    .addHelpText(
      "after",
      "\nEvery problem is listed with its file, line and field. Exit code 2: a config is invalid, or\n" +
        "protected.target_column / protected.date_column is not a column of the dataset's schema.json.\n" +
        "Exit code 1: a protected field differs from project_standards.yaml as committed at HEAD (as\n" +
        "mlp run and the pre-commit hook refuse it), or the dataset is not in data/shadow/. A protected\n" +
        "change that logs/protected_overrides.log approves (an entry made at HEAD) passes, as on\n" +
        "commit, with a note on stderr.\n" +
        "expected_effect is required in reasoning.yaml when an agent runs mlp (MLP_AGENT=1, CLAUDECODE=1, CODEX_*).\n" +
        "\nExample:\n  mlp validate\n  mlp validate --config configs/experiment_shallow.yaml\n",
    )
    .action(async (options: { config?: string; reasoning?: string }) => {
      const root = findProjectRoot();
      // Paths given on the command line are relative to where the user stands; the defaults
      // are relative to the project root.
      const { files, notes } = await validateProject(root, {
        config: options.config && resolve(options.config),
        reasoning: options.reasoning && resolve(options.reasoning),
        agent: isAgentOperator(Deno.env.toObject()),
      });
      for (const note of notes) console.error(`note: ${note}`);
      console.log(
        `ok: ${files.experiment}, ${files.reasoning} and ${files.standards} are valid`,
      );
    });
}

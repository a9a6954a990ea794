/**
 * The `mlp` program without its commands: name, version, help and how Commander reports errors.
 * Kept apart from `program.ts` so `mlp query` can start with its own command alone (`main.ts`)
 * without loading every other command's modules.
 *
 * @module
 */
import { Command } from "commander";
import { MLP_VERSION } from "../version.ts";

/**
 * The `mlp` program, no command registered yet. Commander errors (unknown command or option,
 * missing argument) are thrown, not exited on, for every command: the caller decides the exit
 * code.
 */
export function baseProgram(): Command {
  return new Command("mlp")
    .description(
      "Governed, reproducible ML experiments: the one door to run them and the checks that keep them honest.",
    )
    .version(MLP_VERSION, "-V, --version", "print the mlp version")
    .showSuggestionAfterError(true)
    .showHelpAfterError(
      "hint: `mlp --help` lists the commands; `mlp <command> --help` their options",
    )
    // Set before any subcommand exists: Commander copies these settings into each subcommand
    // when it is created, so set later they would reach `mlp` alone.
    .exitOverride()
    .configureOutput({ writeErr: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)) })
    .addHelpText(
      "after",
      "\nExit codes: 0 success; 1 a check refused, a run failed or a file operation failed; 2 invalid\n" +
        "input; 130 interrupted.\n" +
        "Run `mlp <command> --help` for the options and an example of each command.",
    );
}

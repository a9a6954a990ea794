/**
 * The mlp command tree. Each capability contributes its commands through a `register…` function;
 * commands stay thin: parse arguments, call the capability, print, return.
 *
 * @module
 */
import { Command } from "commander";
import { MLP_VERSION } from "../version.ts";
import { registerSchema } from "./schema.ts";
import { registerValidate } from "./validate.ts";
import { registerGuard } from "./guard.ts";
import { registerRun } from "./run.ts";
import { registerData } from "./data.ts";
import { registerHooks } from "./hooks.ts";
import { registerLog } from "./log.ts";
import { registerVerifyRun } from "./verify_run.ts";
import { registerRuns } from "./runs.ts";
import { registerBackup } from "./backup.ts";
import { registerCost } from "./cost.ts";
import { registerOutcome } from "./outcome.ts";
import { registerQuery } from "./query.ts";
import { registerPromote } from "./promote.ts";
import { registerCard } from "./card.ts";

/**
 * Builds the full `mlp` command tree, ready for `parseAsync`. Commander errors (unknown command or
 * option, missing argument) are thrown, not exited on, for every command: the caller decides the
 * exit code.
 */
export function buildProgram(): Command {
  const program = new Command("mlp")
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
  registerRun(program);
  registerValidate(program);
  registerSchema(program);
  registerData(program);
  registerGuard(program);
  registerHooks(program);
  registerLog(program);
  registerVerifyRun(program);
  registerRuns(program);
  registerBackup(program);
  registerCost(program);
  registerOutcome(program);
  registerQuery(program);
  registerPromote(program);
  registerCard(program);
  return program;
}

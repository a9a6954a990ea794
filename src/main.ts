/**
 * Entry point of the `mlp` executable: builds the command tree, runs it, and maps every error to
 * its exit code and message. This is the only place that decides exit codes.
 *
 * @module
 */
import { type Command, CommanderError } from "commander";
import { formatError, MlpError } from "./errors.ts";
import { refusalForOsError } from "./os_error.ts";
import { printErr } from "./cli/output.ts";

/** Exit code for a bug in mlp itself (EX_SOFTWARE). */
const BUG_EXIT = 70;

/**
 * Runs mlp with the given arguments and returns the exit code instead of exiting, so tests and
 * embedding callers can use it.
 */
export async function main(args: string[]): Promise<number> {
  const program = await programFor(args);
  // The command being run, for "run `mlp data add` again" in a file-system refusal.
  let command = "mlp";
  program.hook("preAction", (_program, action) => {
    command = commandPath(action);
  });
  try {
    await program.parseAsync(args, { from: "user" });
    return typeof Deno.exitCode === "number" ? Deno.exitCode : 0;
  } catch (error: unknown) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
      if (error.code === "commander.help") return 0;
      return 2;
    }
    if (error instanceof MlpError) {
      printErr(formatError(error));
      return error.exitCode;
    }
    const refusal = await refusalForOsError(error, { command });
    if (refusal) {
      printErr(formatError(refusal));
      return refusal.exitCode;
    }
    printErr("mlp: internal error (this is a bug in mlp, please report it):");
    printErr(error instanceof Error ? error.stack ?? error.message : String(error));
    return BUG_EXIT;
  }
}

/**
 * The command tree for `args`: `mlp query …` gets its own command alone, so a query (asked
 * interactively, often) does not load the modules of run, backup and the rest, some 0.06 s of
 * its start-up; every other invocation gets the full tree. Both imports are static strings, so
 * `deno compile` includes them.
 */
async function programFor(args: readonly string[]): Promise<Command> {
  if (args[0] === "query") {
    const [{ baseProgram }, { registerQuery }] = await Promise.all([
      import("./cli/program_base.ts"),
      import("./cli/query.ts"),
    ]);
    const program = baseProgram();
    registerQuery(program);
    return program;
  }
  const { buildProgram } = await import("./cli/program.ts");
  return buildProgram();
}

/** `mlp data add` for the `add` subcommand of `data`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(" ");
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}

/**
 * Entry point of the `mlp` executable: builds the command tree, runs it, and maps every error to
 * its exit code and message. This is the only place that decides exit codes.
 *
 * @module
 */
import { CommanderError } from "commander";
import { buildProgram } from "./cli/program.ts";
import { formatError, MlpError } from "./errors.ts";
import { printErr } from "./cli/output.ts";

/** Exit code for a bug in mlp itself (EX_SOFTWARE). */
const BUG_EXIT = 70;

/**
 * Runs mlp with the given arguments and returns the exit code instead of exiting, so tests and
 * embedding callers can use it.
 */
export async function main(args: string[]): Promise<number> {
  const program = buildProgram();
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
    if (isFileSystemError(error)) {
      printErr(`error: ${error.message}`);
      printErr(
        "hint: the operating system refused a file operation on that path: fix it (a file where " +
          "a directory belongs, a missing directory, permissions) and run the command again",
      );
      return 1;
    }
    printErr("mlp: internal error (this is a bug in mlp, please report it):");
    printErr(error instanceof Error ? error.stack ?? error.message : String(error));
    return BUG_EXIT;
  }
}

/**
 * Errors the operating system raises on a path (it exists, is missing, is a file, is not
 * writable): the machine's state, not a bug in mlp. Deno puts the operation and path in the message.
 */
function isFileSystemError(error: unknown): error is Error {
  return [
    Deno.errors.AlreadyExists,
    Deno.errors.NotFound,
    Deno.errors.PermissionDenied,
    Deno.errors.IsADirectory,
    Deno.errors.NotADirectory,
    Deno.errors.FilesystemLoop,
    Deno.errors.Busy,
  ].some((kind) => error instanceof kind);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}

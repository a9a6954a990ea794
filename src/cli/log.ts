/**
 * `mlp log verify`: checks the hash chain of the protected-override log.
 *
 * @module
 */
import type { Command } from "commander";
import { OVERRIDE_LOG, verifyOverrideLog } from "../audit/override_log.ts";
import { CheckError, InputError } from "../errors.ts";
import { findProjectRoot, projectPaths } from "../project/paths.ts";

/** Registers `mlp log verify` on the program. */
export function registerLog(program: Command): void {
  program
    .command("log")
    .description("The append-only protected-override log.")
    .command("verify")
    .description("Check that no entry of the override log was edited, deleted or reordered.")
    .option("--file <path>", `the log to check (default: the project's ${OVERRIDE_LOG})`)
    .addHelpText(
      "after",
      `
Each entry carries the SHA-256 of the entry before it; a broken link names the line and whether
entries look edited, deleted or reordered. The pre-commit hook also refuses any change to
committed entries.

Example:
  mlp log verify
  mlp log verify --file /backup/protected_overrides.log`,
    )
    .action(async (flags: { file?: string }) => {
      const path = flags.file ?? projectPaths(findProjectRoot()).overrideLog;
      const shown = flags.file ?? OVERRIDE_LOG;
      let text: string;
      try {
        text = await Deno.readTextFile(path);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        if (flags.file) {
          throw new InputError(`No such file "${flags.file}"`, {
            hint: "omit --file to check the project's logs/protected_overrides.log",
          });
        }
        text = "";
      }
      const { entries, problems } = verifyOverrideLog(text, shown);
      if (problems.length > 0) {
        throw new CheckError(`${shown} has been tampered with: its hash chain is broken`, {
          details: problems.map((p) => `${shown}:${p.line}: ${p.message}`),
          hint: "restore the log from git history (`git log -p -- logs/protected_overrides.log` " +
            "shows every committed version) and find out who changed it",
        });
      }
      const count = entries.length === 1 ? "1 entry" : `${entries.length} entries`;
      console.log(`${shown}: ${count}, hash chain intact`);
    });
}

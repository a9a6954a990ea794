/**
 * `mlp log verify`: checks the hash chain of the protected-override log, and that the log and the
 * MLflow store agree (src/audit/override_anchor.ts).
 *
 * @module
 */
import type { Command } from "commander";
import { existsSync } from "node:fs";
import { checkEntriesAnchored, checkRunsLogged } from "../audit/override_anchor.ts";
import { OVERRIDE_LOG, verifyOverrideLog } from "../audit/override_log.ts";
import { signatureFindings } from "../audit/signature_findings.ts";
import { CheckError, InputError } from "../errors.ts";
import { findProjectRoot, projectPaths } from "../project/paths.ts";
import { openStore } from "../runs/open_store.ts";
import { printErr } from "./output.ts";

/** Registers `mlp log verify` on the program. */
export function registerLog(program: Command): void {
  program
    .command("log")
    .description("The append-only protected-override log.")
    .command("verify")
    .description(
      "Check that no entry of the override log was edited, deleted, reordered or forged, " +
        "and that every run that used an escape hatch has its entries in it.",
    )
    .option("--file <path>", `the log to check (default: the project's ${OVERRIDE_LOG})`)
    .addHelpText(
      "after",
      `
Each entry carries the SHA-256 of the entry before it; a broken link names the line and whether
entries look edited, deleted or reordered. The pre-commit hook also refuses any change to
committed entries. Each approval (override, promotion, revocation) must carry its approver's SSH
signature, verified against the approvers of configs/project_standards.yaml at the main commit
the entry names (unsigned approvals pass, with a note, only where main listed no approvers). Then, against the MLflow store (MLFLOW_TRACKING_URI, else the project's
mlflow.db): each entry's run exists and, once FINISHED, is sealed with the entry's SHA-256 in its
mlp/override_entries.txt artifact; and each run at a commit of this repository that ran with
--unsandboxed or anchors entries has them in the log.

Example:
  mlp log verify
  mlp log verify --file /backup/protected_overrides.log`,
    )
    .action(async (flags: { file?: string }) => {
      const root = findProjectRoot();
      const path = flags.file ?? projectPaths(root).overrideLog;
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
      const findings = await signatureFindings(root, text);
      const invalid = findings.filter((f) => f.status === "invalid");
      if (invalid.length > 0) {
        throw new CheckError(
          `${shown} has ${
            invalid.length === 1 ? "an approval" : `${invalid.length} approvals`
          } not signed by an approver`,
          {
            details: invalid.map((f) =>
              `${shown}:${f.line}: ${f.kind} by "${f.identity}": ${f.message}`
            ),
            hint: "an approval is valid only as its approver signed it: restore the log from git " +
              "history (`git log -p -- logs/protected_overrides.log`) and find out who changed it",
          },
        );
      }
      const unsigned = findings.filter((f) => f.status === "unsigned");
      if (unsigned.length > 0) {
        const lines = unsigned.map((f) => f.line).join(", ");
        printErr(
          `mlp: note: ${
            unsigned.length === 1 ? "1 approval is" : `${unsigned.length} approvals are`
          } unsigned, made while main listed no approvers (${
            unsigned.length === 1 ? "line" : "lines"
          } ${lines}): who approved is self-asserted`,
        );
      }
      const count = entries.length === 1 ? "1 entry" : `${entries.length} entries`;
      const env = Deno.env.toObject();
      if (
        entries.length === 0 && !env.MLFLOW_TRACKING_URI && !existsSync(projectPaths(root).mlflowDb)
      ) {
        // No run was ever recorded here, so none can lack its entry.
        console.log(`${shown}: ${count}, hash chain intact, no MLflow store yet`);
        return;
      }
      const reader = await openStore(root, env, printErr);
      try {
        const anchored = await checkEntriesAnchored(root, text, shown, reader);
        const logged = await checkRunsLogged(root, text, shown, reader);
        if (anchored.length + logged.length > 0) {
          throw new CheckError(`${shown} and the MLflow store ${reader.location} disagree`, {
            details: [...anchored.map((p) => `${shown}:${p.line}: ${p.message}`), ...logged],
            hint: "an entry must be the line `mlp run` wrote for its run, and every escape hatch " +
              `a run used must have its entry: restore ${shown} from git history ` +
              "(`git log -p -- logs/protected_overrides.log`) and find out who changed it",
          });
        }
        console.log(
          `${shown}: ${count}, hash chain intact, anchored in the MLflow store ${reader.location}`,
        );
      } finally {
        reader.close();
      }
    });
}

/**
 * `mlp audit`: checks everything the rules promise over the project's whole history
 * (src/audit/run_audit.ts) and lists each finding with what to do.
 *
 * @module
 */
import type { Command } from "commander";
import { formatReport } from "../audit/finding.ts";
import { runAudit } from "../audit/run_audit.ts";
import { parseSince } from "../cost/report.ts";
import { InputError } from "../errors.ts";
import { findProjectRoot } from "../project/paths.ts";
import { printOut } from "./output.ts";

const FORMATS = ["text", "json"] as const;

/** Registers `mlp audit` on the program. */
export function registerAudit(program: Command): void {
  program
    .command("audit")
    .description(
      "Check the whole history against the rules: every commit on main merged through the gate " +
        "and proven, the override log intact and anchored, every run on main and every champion " +
        "still verifying, no run left RUNNING.",
    )
    .option("--since <date>", "only commits and runs from this day on (YYYY-MM-DD, UTC)")
    .option("--format <format>", `output: ${FORMATS.join(" or ")}`, "text")
    .addHelpText(
      "after",
      `
Exits 0 with one line "audit clean: …" when nothing is found, else 1 with one finding a line:
the commit, run or file, what is wrong, and under it what to do. Commits accepted by rule (the
first commit, the one that installed .githooks/pre-merge-commit, template updates that change
.copier-answers.yml, commits that only append to logs/protected_overrides.log) are listed as
exceptions. Runs are read from the store configs/project_standards.yaml names (tracking_store),
without ending runs left RUNNING first. The override log is always checked whole. docs/audit.md
describes every check.

Example:
  mlp audit
  mlp audit --since 2026-11-01 --format json`,
    )
    .action(async (flags: { since?: string; format: string }) => {
      if (!(FORMATS as readonly string[]).includes(flags.format)) {
        throw new InputError(`--format "${flags.format}" is not one of ${FORMATS.join(", ")}`, {
          hint: "use --format json, or leave it out for text",
        });
      }
      const since = flags.since === undefined ? null : parseSince(flags.since);
      const report = await runAudit({ root: findProjectRoot(), env: Deno.env.toObject(), since });
      printOut(flags.format === "json" ? JSON.stringify(report) : formatReport(report));
      if (!report.clean) Deno.exitCode = 1;
    });
}

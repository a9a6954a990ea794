/**
 * Check "template drift": the scaffold files equal the template rendered by Copier at the
 * version `.copier-answers.yml` records, with the project's answers (src/drift/drift.ts, what
 * `mlp drift` prints with its diffs). A project whose template cannot be rendered (no answers
 * file, the template source unreachable from this machine) is a finding too: what was not
 * checked is said, never passed over.
 *
 * @module
 */
import { scaffoldDrift } from "../../drift/drift.ts";
import { CheckError, InputError } from "../../errors.ts";
import type { Finding } from "../finding.ts";
import type { AuditContext } from "../run_audit.ts";

const CHECK = "template drift";

/** A finding per scaffold file that differs from the template, or one when it cannot be told. */
export async function checkDrift(context: AuditContext): Promise<Finding[]> {
  let report;
  try {
    report = await scaffoldDrift(context.root);
  } catch (error) {
    if (!(error instanceof CheckError || error instanceof InputError)) throw error;
    return [{
      level: "finding",
      check: CHECK,
      subject: ".copier-answers.yml",
      problem: `the scaffold files could not be compared with the template: ${error.message}`,
      fix: "run `mlp drift` where the template source the answers file names can be read, " +
        "and fix what it says",
    }];
  }
  return report.findings.map((drift) => ({
    level: "finding",
    check: CHECK,
    subject: drift.file,
    problem: `${drift.kind} against the template at ${report.template.commit} ` +
      "(scaffold files are the template's: `mlp drift` shows the diff)",
    fix: drift.fix,
  }));
}

/**
 * What `mlp audit` reports (docs/audit.md): one item per problem found over the project's history
 * (a finding) or per commit let through by rule (an exception), each naming the commit, run or
 * file, what is wrong and what to do. The JSON shape of `mlp audit --format json` is defined here
 * once.
 *
 * @module
 */

/** A problem (`finding`, the audit fails) or a commit accepted by rule (`exception`, listed). */
export type FindingLevel = "finding" | "exception";

/** One item of the audit's report. */
export interface Finding {
  level: FindingLevel;
  /** The check that reported it (one of the names in run_audit.ts's list). */
  check: string;
  /** What it is about: `commit 1a2b3c4d5e6f ("subject")`, `run <id>`, `file:line`. */
  subject: string;
  /** What is wrong (or, for an exception, the rule that accepts it). */
  problem: string;
  /** What to do; `""` for an exception. */
  fix: string;
}

/** The report `mlp audit --format json` prints. */
export interface AuditReport {
  /** True when there is no item of level `finding`. */
  clean: boolean;
  /** What was audited, as the last line of the text report says it. */
  summary: string;
  /** Findings first, then exceptions, each in the order the checks found them. */
  findings: Finding[];
}

/** Builds the report: findings before exceptions, `clean` when there is no finding. */
export function auditReport(items: readonly Finding[], audited: string): AuditReport {
  const findings = items.filter((f) => f.level === "finding");
  const exceptions = items.filter((f) => f.level === "exception");
  const clean = findings.length === 0;
  const count = findings.length === 1 ? "1 finding" : `${findings.length} findings`;
  return {
    clean,
    summary: clean ? `audit clean: ${audited}` : `audit failed: ${count} (${audited})`,
    findings: [...findings, ...exceptions],
  };
}

/**
 * The report as text: one `<level>: <subject>: <problem>` line per item, the fix indented under
 * a finding, and the summary last.
 *
 * @example Usage
 * ```ts
 * import { auditReport, formatReport } from "./finding.ts";
 * formatReport(auditReport([], "3 commits"));
 * // => "audit clean: 3 commits"
 * ```
 */
export function formatReport(report: AuditReport): string {
  const lines = report.findings.flatMap((f) => [
    `${f.level}: ${f.subject}: ${f.problem}`,
    ...(f.fix === "" ? [] : [`  fix: ${f.fix}`]),
  ]);
  return [...lines, report.summary].join("\n");
}

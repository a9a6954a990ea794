/**
 * What `mlp promote` requires of a run (docs/promotion.md), as pure functions of what mlp read:
 * each failed check is named, with the fix. `promote.ts` gathers the facts.
 *
 * @module
 */
import { flattenParams } from "../config/flatten.ts";
import type { ProtectedValue } from "../config/standards.ts";
import { CheckError } from "../errors.ts";
import type { RunRecord } from "../tracking/run_record.ts";
import { PROMOTION_TAGS, REVOCATION_TAGS } from "./names.ts";

/** One check a run failed. */
export interface FailedCheck {
  /** The check's name, as docs/promotion.md and skills/promote_model.md list them. */
  check: string;
  problem: string;
  fix: string;
}

/** Why the run's status or tree disqualifies it, or `[]`. */
export function stateChecks(run: RunRecord): FailedCheck[] {
  const failed: FailedCheck[] = [];
  if (run.lifecycleStage !== "active" || run.status !== "FINISHED") {
    failed.push({
      check: "finished",
      problem: run.lifecycleStage !== "active"
        ? `the run is ${run.lifecycleStage}`
        : `the run is ${run.status}, not FINISHED`,
      fix: "promote a run that `mlp run` ended FINISHED",
    });
  }
  if (run.params.git_dirty !== "false") {
    failed.push({
      check: "clean tree",
      problem: `git_dirty is "${run.params.git_dirty ?? "missing"}": the run was made from ` +
        "uncommitted code",
      fix:
        "commit the change, run `mlp run` again on the clean tree, merge it, and promote that run",
    });
  }
  return failed;
}

/** A run promoted before (champion or revoked) is not promoted again: its card is write-once. */
export function alreadyPromoted(run: RunRecord, complete: boolean): FailedCheck[] {
  if (run.tags[REVOCATION_TAGS.revoked] === "true") {
    return [{
      check: "not promoted",
      problem: `the run's promotion was revoked on ${
        run.tags[REVOCATION_TAGS.timestamp] ?? "an earlier date"
      } by ${run.tags[REVOCATION_TAGS.by] ?? "someone"}: "${
        run.tags[REVOCATION_TAGS.reason] ?? ""
      }"`,
      fix:
        "a revoked run's card stays as it was; fix what was wrong, run again, and promote the new run",
    }];
  }
  if (run.tags[PROMOTION_TAGS.promoted] === "true" && complete) {
    return [{
      check: "not promoted",
      problem: `the run was promoted on ${run.tags[PROMOTION_TAGS.timestamp]} by ${
        run.tags[PROMOTION_TAGS.by]
      }`,
      fix: "`mlp models` shows the champion; nothing to do",
    }];
  }
  return [];
}

/**
 * The protected params of the run that differ from the standards' reference values
 * (`reference`: the `protected_fields` of project_standards.yaml on the main branch), and
 * reference fields the run lacks.
 */
export function protectedChecks(
  run: RunRecord,
  reference: Readonly<Record<string, ProtectedValue>>,
  branch: string,
): FailedCheck[] {
  const expected = flattenParams(reference, "protected");
  const problems: string[] = [];
  for (const [field, value] of Object.entries(expected)) {
    const found = run.params[field];
    if (found !== value) {
      problems.push(
        found === undefined
          ? `${field}: run has none, the standards have "${value}"`
          : `${field}: run has "${found}", the standards have "${value}"`,
      );
    }
  }
  for (const field of Object.keys(run.params)) {
    if (field.startsWith("protected.") && !(field in expected)) {
      problems.push(`${field}: run has "${run.params[field]}", the standards have no such field`);
    }
  }
  return problems.map((problem) => ({
    check: "protected fields",
    problem,
    fix: `promote a run made with the reference values of configs/project_standards.yaml on ` +
      `${branch}; a new reference value is committed there, through review, before the run`,
  }));
}

/**
 * The escape hatches the run used: `--unsandboxed` (its sealed `sandbox` tag) and a protected
 * override (override-log entries anchored in its seal).
 */
export function escapeHatchChecks(run: RunRecord, anchoredEntries: number): FailedCheck[] {
  const failed: FailedCheck[] = [];
  if (run.tags.sandbox === "none") {
    failed.push({
      check: "no escape hatch",
      problem: "the run was made with --unsandboxed: project code ran without the sandbox",
      fix: "run the experiment again in the sandbox (without --unsandboxed) and promote that run",
    });
  }
  if (anchoredEntries > 0 && run.tags.sandbox !== "none") {
    failed.push({
      check: "no escape hatch",
      problem: `the run used --override-protected (${anchoredEntries} entr${
        anchoredEntries === 1 ? "y" : "ies"
      } of logs/protected_overrides.log)`,
      fix: "an override is for exploring; promote a run made with the standards' reference values",
    });
  }
  return failed;
}

/**
 * The refusal of `mlp promote` for `failed` (non-empty).
 *
 * @returns A CheckError listing every failed check with its fix.
 */
export function refusal(runId: string, failed: readonly FailedCheck[]): CheckError {
  const names = [...new Set(failed.map((f) => f.check))];
  return new CheckError(
    `Run ${runId} cannot be promoted: ${names.length === 1 ? "check" : "checks"} ${
      names.map((n) => `"${n}"`).join(", ")
    } failed`,
    {
      details: failed.map((f) => `${f.check}: ${f.problem}; fix: ${f.fix}`),
      hint: "nothing was written; `mlp promote --help` lists the checks",
    },
  );
}

/**
 * The history audit, pure: each commit of the main branch's first-parent history (what main
 * pointed at, one commit after another) is classified from the git facts gathered about it
 * (git_history.ts). The merge gate runs only when git makes a merge commit, so every change that
 * reached main since the gate was installed must be a merge whose merged tips a run of this
 * project proves. Anything else on the first-parent line came around the gate: a direct commit
 * (also one made with `--no-verify`), a squash merge, a rebased or cherry-picked commit, a
 * fast-forward. Three kinds of commit are accepted by rule and listed as exceptions: the first
 * commit, a template update (`copier update` changes `.copier-answers.yml`), and a commit that
 * only appends entries to the override log (what `mlp promote`, `mlp outcome` and an override
 * leave to commit on main).
 *
 * "Since the gate was installed" is the first first-parent commit that adds
 * `.githooks/pre-merge-commit`: the template ships it, so for a generated project that is the
 * first commit; a project that adopted mlp later is audited from the commit that brought it in.
 *
 * @module
 */
import { OVERRIDE_LOG } from "./override_log.ts";
import type { Finding } from "./finding.ts";

/** The hook file whose first appearance on main marks the gate's installation. */
export const GATE_FILE = ".githooks/pre-merge-commit";

/** The Copier answers file a template update changes. */
export const ANSWERS_FILE = ".copier-answers.yml";

/** Whether the merge gate's proof holds for a merge commit (`mlp verify-run --commit`). */
export type MergeProofFact =
  | { proven: true; runIds: string[] }
  | { proven: false; problem: string; details: string[] };

/** What the audit knows about one first-parent commit. */
export interface FirstParentCommit {
  /** Full SHA. */
  sha: string;
  /** Parent SHAs, first parent first; empty for a root commit. */
  parents: string[];
  subject: string;
  /** Committer time, milliseconds since the epoch. */
  time: number;
  /** Project-relative paths changed against the first parent (every path for a root commit). */
  changed: string[];
  /** Whether the override log at this commit starts with the log at its first parent. */
  logAppendOnly: boolean;
  /** For a merge commit: whether the gate's proof holds. */
  proof?: MergeProofFact;
}

/** How the audit judged one commit. */
export type CommitClass =
  | { kind: "before-gate" }
  | { kind: "before-since" }
  | { kind: "exception"; rule: string }
  | { kind: "proven"; runIds: string[] }
  | { kind: "unproven-merge"; proof: Extract<MergeProofFact, { proven: false }> }
  | { kind: "not-a-merge" };

/** A commit with its class. */
export interface ClassifiedCommit {
  commit: FirstParentCommit;
  class: CommitClass;
}

/**
 * Classifies `commits` (main's first-parent history, oldest first).
 *
 * @param gate The SHA of the first first-parent commit that adds {@linkcode GATE_FILE}, or
 *   `null` when none does (then no commit is audited; {@linkcode historyFindings} reports it).
 * @param since Commits older than this (committer time, ms) are not audited; `null` for all.
 */
export function classifyHistory(
  commits: readonly FirstParentCommit[],
  gate: string | null,
  since: number | null,
): ClassifiedCommit[] {
  const gateIndex = gate === null ? commits.length : commits.findIndex((c) => c.sha === gate);
  return commits.map((commit, i) => ({
    commit,
    class: i < gateIndex || gateIndex < 0
      ? { kind: "before-gate" }
      : since !== null && commit.time < since
      ? { kind: "before-since" }
      : classifyCommit(commit, commit.sha === gate),
  }));
}

function classifyCommit(commit: FirstParentCommit, installsGate: boolean): CommitClass {
  if (commit.parents.length === 0) {
    return { kind: "exception", rule: "the first commit: the project's history starts here" };
  }
  if (installsGate) {
    return {
      kind: "exception",
      rule: `adds ${GATE_FILE}: the merge gate is installed here, the audit starts here`,
    };
  }
  if (commit.parents.length > 1) {
    if (commit.proof === undefined || commit.proof.proven) {
      return { kind: "proven", runIds: commit.proof?.runIds ?? [] };
    }
    return { kind: "unproven-merge", proof: commit.proof };
  }
  if (commit.changed.includes(ANSWERS_FILE)) {
    return {
      kind: "exception",
      rule: `a template update (it changes ${ANSWERS_FILE}, as \`copier update\` does)`,
    };
  }
  if (commit.changed.length === 1 && commit.changed[0] === OVERRIDE_LOG && commit.logAppendOnly) {
    return {
      kind: "exception",
      rule: `it only appends entries to ${OVERRIDE_LOG} (a promotion, an outcome correction ` +
        "or an override, recorded)",
    };
  }
  return { kind: "not-a-merge" };
}

/** How a commit is named in the report: `commit 1a2b3c4d5e6f ("subject")`. */
export function commitSubject(commit: FirstParentCommit): string {
  return `commit ${commit.sha.slice(0, 12)} ("${commit.subject}")`;
}

/**
 * The findings and exceptions of a classified history: an unproven merge, a commit that is not a
 * merge, and (when `gate` is `null`) the gate never installed.
 *
 * @param branch The main branch's name, for messages.
 */
export function historyFindings(
  classified: readonly ClassifiedCommit[],
  gate: string | null,
  branch: string,
): Finding[] {
  if (gate === null) {
    return [{
      level: "finding",
      check: "history",
      subject: `branch ${branch}`,
      problem: `no commit of its first-parent history adds ${GATE_FILE}: the merge gate was ` +
        "never installed, so no merge into it was checked",
      fix: "bring the template's .githooks/ in (`copier update`), commit it, and run " +
        "`mlp hooks install` in every clone; the audit then starts at that commit",
    }];
  }
  return classified.flatMap(({ commit, class: judged }): Finding[] => {
    const subject = commitSubject(commit);
    const short = commit.sha.slice(0, 12);
    switch (judged.kind) {
      case "exception":
        return [{ level: "exception", check: "history", subject, problem: judged.rule, fix: "" }];
      case "unproven-merge":
        return [{
          level: "finding",
          check: "history",
          subject,
          problem: `a merge no run proves: ${judged.proof.problem}` +
            judged.proof.details.map((d) => `; ${d}`).join(""),
          fix: `\`mlp verify-run --commit ${short}\` shows why; when a run of this project ` +
            "proves the merged tip, note it on the tip (`git notes --ref=mlflow append -m " +
            '"MLflow-Run: <run id>" <tip>`), else review the merged change and undo it through ' +
            "a proven merge",
        }];
      case "not-a-merge":
        return [{
          level: "finding",
          check: "history",
          subject,
          problem: `is not a merge: it reached ${branch} around the merge gate (a direct commit, ` +
            "`--no-verify`, a squash or rebase merge, a cherry-pick or a fast-forward)",
          fix: `review it (\`git show ${short}\`); a change that must not stand is undone on a ` +
            "branch, run with `mlp run` and merged with `git merge --no-ff`; once reviewed, " +
            `audit from a later date (\`mlp audit --since <date>\`)`,
        }];
      default:
        return [];
    }
  });
}

/** What the history audit covered, for the summary: `5 commits on main since 1a2b3c4d5e6f (…)`. */
export function historySummary(
  classified: readonly ClassifiedCommit[],
  gate: string | null,
  branch: string,
): string {
  if (gate === null) return `no commit on ${branch} since the gate`;
  const audited = classified.filter((c) =>
    c.class.kind !== "before-gate" && c.class.kind !== "before-since"
  );
  const proven = audited.filter((c) => c.class.kind === "proven").length;
  const exceptions = audited.filter((c) => c.class.kind === "exception").length;
  return `${plural(audited.length, "commit")} on ${branch} since ${gate.slice(0, 12)} ` +
    `(${plural(proven, "proven merge")}, ${plural(exceptions, "exception")})`;
}

/** `1 commit`, `2 commits`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

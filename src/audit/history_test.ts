import assert from "node:assert/strict";
import { auditReport, formatReport } from "./finding.ts";
import {
  classifyHistory,
  type FirstParentCommit,
  historyFindings,
  historySummary,
} from "./history.ts";

const LOG = "logs/protected_overrides.log";

/** A first-parent commit: `n` names it (its SHA is `n` repeated), `parents` its parents' names. */
function commit(
  n: string,
  parents: string[],
  subject: string,
  extra: Partial<FirstParentCommit> = {},
): FirstParentCommit {
  return {
    sha: n.repeat(40),
    parents: parents.map((p) => p.repeat(40)),
    subject,
    time: Date.parse("2026-12-01T00:00:00Z"),
    changed: ["src/model.py"],
    logAppendOnly: true,
    ...extra,
  };
}

const ROOT = commit("a", [], "Initial project", { changed: [".githooks/pre-merge-commit"] });
const PROVEN = commit("b", ["a", "9"], "Merge agent/x", {
  proof: { proven: true, runIds: ["0".repeat(32)] },
});
const UNPROVEN = commit("c", ["b", "8"], "Merge agent/y", {
  proof: {
    proven: false,
    problem: "No MLflow run is named for commit 888888888888",
    details: ["no note"],
  },
});
const DIRECT = commit("d", ["c"], "squashed change");
const TEMPLATE = commit("e", ["d"], "copier update", {
  changed: [".copier-answers.yml", "AGENTS.md"],
});
const PROMOTION = commit("f", ["e"], "Promote run", { changed: [LOG] });
const REWRITE = commit("1", ["f"], "edit the log", { changed: [LOG], logAppendOnly: false });

Deno.test("classifyHistory: each kind of first-parent commit", () => {
  const commits = [ROOT, PROVEN, UNPROVEN, DIRECT, TEMPLATE, PROMOTION, REWRITE];
  const classified = classifyHistory(commits, ROOT.sha, null);
  assert.deepEqual(classified.map((c) => c.class.kind), [
    "exception",
    "proven",
    "unproven-merge",
    "not-a-merge",
    "exception",
    "exception",
    "not-a-merge",
  ]);
  assert.equal(
    historySummary(classified, ROOT.sha, "main"),
    "7 commits on main since aaaaaaaaaaaa (1 proven merge, 3 exceptions)",
  );
  const report = formatReport(auditReport(historyFindings(classified, ROOT.sha, "main"), "x"));
  assert.equal(
    report,
    [
      'finding: commit cccccccccccc ("Merge agent/y"): a merge no run proves: No MLflow run is ' +
      "named for commit 888888888888; no note",
      "  fix: `mlp verify-run --commit cccccccccccc` shows why; when a run of this project " +
      'proves the merged tip, note it on the tip (`git notes --ref=mlflow append -m "MLflow-Run: ' +
      '<run id>" <tip>`), else review the merged change and undo it through a proven merge',
      'finding: commit dddddddddddd ("squashed change"): is not a merge: it reached main around ' +
      "the merge gate (a direct commit, `--no-verify`, a squash or rebase merge, a cherry-pick or " +
      "a fast-forward)",
      "  fix: review it (`git show dddddddddddd`); a change that must not stand is undone on a " +
      "branch, run with `mlp run` and merged with `git merge --no-ff`; once reviewed, audit from " +
      "a later date (`mlp audit --since <date>`)",
      'finding: commit 111111111111 ("edit the log"): is not a merge: it reached main around the ' +
      "merge gate (a direct commit, `--no-verify`, a squash or rebase merge, a cherry-pick or a " +
      "fast-forward)",
      "  fix: review it (`git show 111111111111`); a change that must not stand is undone on a " +
      "branch, run with `mlp run` and merged with `git merge --no-ff`; once reviewed, audit from " +
      "a later date (`mlp audit --since <date>`)",
      'exception: commit aaaaaaaaaaaa ("Initial project"): the first commit: the project\'s ' +
      "history starts here",
      'exception: commit eeeeeeeeeeee ("copier update"): a template update (it changes ' +
      ".copier-answers.yml, as `copier update` does)",
      'exception: commit ffffffffffff ("Promote run"): it only appends entries to ' +
      `${LOG} (a promotion, an outcome correction or an override, recorded)`,
      "audit failed: 3 findings (x)",
    ].join("\n"),
  );
});

Deno.test("classifyHistory: the audit starts at the commit that installs the gate", () => {
  const before = commit("a", [], "Initial project");
  const adopt = commit("b", ["a"], "adopt mlp", { changed: [".githooks/pre-merge-commit"] });
  const classified = classifyHistory([before, adopt, DIRECT], adopt.sha, null);
  assert.deepEqual(classified.map((c) => c.class), [
    { kind: "before-gate" },
    {
      kind: "exception",
      rule: "adds .githooks/pre-merge-commit: the merge gate is installed here, the audit " +
        "starts here",
    },
    { kind: "not-a-merge" },
  ]);
  assert.equal(
    historySummary(classified, adopt.sha, "main"),
    "2 commits on main since bbbbbbbbbbbb (0 proven merges, 1 exception)",
  );
});

Deno.test("classifyHistory: --since leaves older commits out", () => {
  const late = commit("d", ["c"], "late", { time: Date.parse("2026-12-05T00:00:00Z") });
  const classified = classifyHistory(
    [ROOT, DIRECT, late],
    ROOT.sha,
    Date.parse("2026-12-02T00:00:00Z"),
  );
  assert.deepEqual(classified.map((c) => c.class.kind), [
    "before-since",
    "before-since",
    "not-a-merge",
  ]);
});

Deno.test("historyFindings: no commit installs the gate", () => {
  const classified = classifyHistory([ROOT, DIRECT], null, null);
  assert.deepEqual(classified.map((c) => c.class.kind), ["before-gate", "before-gate"]);
  assert.deepEqual(historyFindings(classified, null, "main"), [{
    level: "finding",
    check: "history",
    subject: "branch main",
    problem: "no commit of its first-parent history adds .githooks/pre-merge-commit: the merge " +
      "gate was never installed, so no merge into it was checked",
    fix: "bring the template's .githooks/ in (`copier update`), commit it, and run " +
      "`mlp hooks install` in every clone; the audit then starts at that commit",
  }]);
  assert.equal(historySummary(classified, null, "main"), "no commit on main since the gate");
});

Deno.test("auditReport: clean without findings, exceptions listed", () => {
  const classified = classifyHistory([ROOT, PROVEN], ROOT.sha, null);
  const report = auditReport(historyFindings(classified, ROOT.sha, "main"), "2 commits");
  assert.deepEqual(report, {
    clean: true,
    summary: "audit clean: 2 commits",
    findings: [{
      level: "exception",
      check: "history",
      subject: 'commit aaaaaaaaaaaa ("Initial project")',
      problem: "the first commit: the project's history starts here",
      fix: "",
    }],
  });
});

/**
 * `mlp audit` (docs/audit.md) on one project from the template with one real run, merged through
 * the real merge gate and promoted, as `make demo` does: the project is clean (listing its
 * exceptions), and each problem planted in a copy of it (the copy's store is its own file) is a
 * finding with its exact text: commits that reached main around the gate (a `--no-verify` commit,
 * a squash merge, a cherry-pick, a rebased branch fast-forwarded, a fast-forward, a merge made
 * with `--no-verify`), an edited last entry of the override log, in the work tree and committed,
 * a run left RUNNING by a supervisor that is gone and that used `--unsandboxed` without its
 * entry, and a champion whose dataset no longer verifies.
 */
import { deepEqual, equal } from "node:assert/strict";
import { join } from "node:path";
import { createProject, exec, type TestProject } from "../support/project.ts";

const LOG = "logs/protected_overrides.log";
const USE = "Scoring retail credit applications for the underwriting team";
const NOT_A_MERGE = "is not a merge: it reached main around the merge gate (a direct commit, " +
  "`--no-verify`, a squash or rebase merge, a cherry-pick or a fast-forward)";

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1)!;
}

/** The fix printed under a commit that is not a merge. */
function notAMergeFix(short: string): string {
  return `  fix: review it (\`git show ${short}\`); a change that must not stand is undone on a ` +
    "branch, run with `mlp run` and merged with `git merge --no-ff`; once reviewed, audit " +
    "from a later date (`mlp audit --since <date>`)";
}

/** A copy of the project (work tree, git, store and artifacts) in a new directory. */
async function copyOf(project: TestProject): Promise<TestProject> {
  const parent = await Deno.makeTempDir({ prefix: "mlp-audit-copy-" });
  const root = join(parent, "project");
  const out = await exec("cp", ["-a", project.root, root], parent);
  equal(out.code, 0, out.stderr);
  const mlp = join(import.meta.dirname!, "../../bin/mlp");
  return {
    ...project,
    root,
    mlp: (args, options = {}) => exec(mlp, args, root, options.env),
    async git(args, options = {}) {
      const result = await exec("git", args, root, options.env);
      if (result.code !== 0 && !options.allowFailure) {
        throw new Error(`git ${args.join(" ")} exited ${result.code}:\n${result.stderr}`);
      }
      return result;
    },
  };
}

async function sha(project: TestProject, rev: string): Promise<string> {
  return (await project.git(["rev-parse", rev])).stdout.trim();
}

/** A commit with `--no-verify` of a new file `notes/<name>.md` (nothing a run reads). */
async function commitNote(project: TestProject, name: string, subject: string): Promise<void> {
  await Deno.mkdir(join(project.root, "notes"), { recursive: true });
  await Deno.writeTextFile(join(project.root, "notes", `${name}.md`), `${subject}\n`);
  await project.git(["add", "notes"]);
  await project.git(["commit", "--quiet", "--no-verify", "-m", subject]);
}

Deno.test("mlp audit: a clean project, then each way around the rules is a finding", async (t) => {
  const project = await createProject({ rows: 1500 });
  const root12 = (await sha(project, "HEAD")).slice(0, 12);
  const first = `exception: commit ${root12} ("Initial project from the mlp template"): the ` +
    "first commit: the project's history starts here";

  await t.step("a project just generated, before any run: clean", async () => {
    const out = await project.mlp(["audit"]);
    deepEqual({ code: out.code, stdout: out.stdout, stderr: out.stderr }, {
      code: 0,
      stdout: `${first}\naudit clean: 1 commit on main since ${root12} (0 proven merges, ` +
        `1 exception); 0 runs on main, 0 promoted; ${LOG}: 0 entries; store ` +
        `${project.root}/mlflow.db (no run recorded yet)\n`,
      stderr: "",
    });
  });

  await project.git(["checkout", "--quiet", "-b", "agent/deeper"]);
  await project.edit("configs/experiment.yaml", /max_depth: \d+/, "max_depth: 5");
  await project.git(["commit", "--quiet", "-am", "deeper trees"]);
  const run = await project.mlp(["run"]);
  equal(run.code, 0, run.stderr);
  const runId = lastLine(run.stdout);
  await project.git(["checkout", "--quiet", "main"]);
  await project.git([
    "merge",
    "--no-ff",
    "agent/deeper",
    "-m",
    `Merge agent/deeper\n\nMLflow-Run: ${runId}`,
  ]);
  const merge12 = (await sha(project, "HEAD")).slice(0, 12);
  const promote = await project.mlp(["promote", runId, "--intended-use", USE]);
  equal(promote.code, 0, promote.stderr);
  await project.git(["add", LOG]);
  await project.git(["commit", "--quiet", "-m", `Promote run ${runId.slice(0, 8)}`]);
  const promo12 = (await sha(project, "HEAD")).slice(0, 12);
  const exceptions = [
    first,
    `exception: commit ${promo12} ("Promote run ${runId.slice(0, 8)}"): it only appends entries ` +
    `to ${LOG} (a promotion, an outcome correction or an override, recorded)`,
  ];
  const audited = (p: TestProject, commits: number, proven: number, exceptions = 2) =>
    `${commits} commits on main since ${root12} (${proven} proven merge${proven === 1 ? "" : "s"}` +
    `, ${exceptions} exceptions); 1 run on main, 1 promoted; ${LOG}: 1 entry; store ` +
    `${p.root}/mlflow.db`;

  await t.step("the clean project: exit 0, its exceptions and one line audit clean", async () => {
    const out = await project.mlp(["audit"]);
    deepEqual({ code: out.code, stdout: out.stdout, stderr: out.stderr }, {
      code: 0,
      stdout: [...exceptions, `audit clean: ${audited(project, 3, 1)}`].join("\n") + "\n",
      stderr: "",
    });
  });

  await t.step("--format json: the report as one JSON object", async () => {
    const out = await project.mlp(["audit", "--format", "json"]);
    equal(out.code, 0, out.stderr);
    deepEqual(JSON.parse(out.stdout), {
      clean: true,
      summary: `audit clean: ${audited(project, 3, 1)}`,
      findings: [{
        level: "exception",
        check: "history",
        subject: `commit ${root12} ("Initial project from the mlp template")`,
        problem: "the first commit: the project's history starts here",
        fix: "",
      }, {
        level: "exception",
        check: "history",
        subject: `commit ${promo12} ("Promote run ${runId.slice(0, 8)}")`,
        problem: `it only appends entries to ${LOG} (a promotion, an outcome correction or an ` +
          "override, recorded)",
        fix: "",
      }],
    });
  });

  let history: TestProject | null = null;
  await t.step("commits around the gate: each is a finding, exit 1", async () => {
    const copy = await copyOf(project);
    history = copy;
    await commitNote(copy, "direct", "a direct commit");
    const direct = (await sha(copy, "HEAD")).slice(0, 12);

    await copy.git(["checkout", "--quiet", "-b", "topic/squash"]);
    await commitNote(copy, "squashed", "work to squash");
    await copy.git(["checkout", "--quiet", "main"]);
    await copy.git(["-c", "merge.ff=true", "merge", "--quiet", "--squash", "topic/squash"]);
    await copy.git(["commit", "--quiet", "--no-verify", "-m", "squash merge"]);
    const squash = (await sha(copy, "HEAD")).slice(0, 12);

    await copy.git(["checkout", "--quiet", "-b", "topic/pick"]);
    await commitNote(copy, "picked", "work to cherry-pick");
    await copy.git(["checkout", "--quiet", "main"]);
    await copy.git(["cherry-pick", "topic/pick"]);
    const pick = (await sha(copy, "HEAD")).slice(0, 12);

    await copy.git(["checkout", "--quiet", "-b", "topic/rebase", merge12]);
    await commitNote(copy, "rebased", "work rebased onto main");
    await copy.git(["rebase", "--quiet", "main"]);
    await copy.git(["checkout", "--quiet", "main"]);
    await copy.git(["-c", "merge.ff=true", "merge", "--quiet", "--ff-only", "topic/rebase"]);
    const rebased = (await sha(copy, "HEAD")).slice(0, 12);

    await copy.git(["checkout", "--quiet", "-b", "topic/ff"]);
    await commitNote(copy, "fast-forwarded", "work fast-forwarded");
    await copy.git(["checkout", "--quiet", "main"]);
    await copy.git(["-c", "merge.ff=true", "merge", "--quiet", "--ff-only", "topic/ff"]);
    const ff = (await sha(copy, "HEAD")).slice(0, 12);

    await copy.git(["checkout", "--quiet", "-b", "topic/unproven"]);
    await commitNote(copy, "unproven", "work merged without a run");
    const tip = (await sha(copy, "HEAD")).slice(0, 12);
    await copy.git(["checkout", "--quiet", "main"]);
    await copy.git(["merge", "--no-ff", "--no-verify", "topic/unproven", "-m", "Merge unproven"]);
    const unproven = (await sha(copy, "HEAD")).slice(0, 12);

    await Deno.writeTextFile(join(copy.root, ".copier-answers.yml"), "# updated\n", {
      append: true,
    });
    await copy.git(["commit", "--quiet", "--no-verify", "-am", "Update from the template"]);
    const update = (await sha(copy, "HEAD")).slice(0, 12);

    const out = await copy.mlp(["audit"]);
    const notAMerge = (short: string, subject: string) => [
      `finding: commit ${short} ("${subject}"): ${NOT_A_MERGE}`,
      notAMergeFix(short),
    ];
    deepEqual({ code: out.code, stdout: out.stdout }, {
      code: 1,
      stdout: [
        ...notAMerge(direct, "a direct commit"),
        ...notAMerge(squash, "squash merge"),
        ...notAMerge(pick, "work to cherry-pick"),
        ...notAMerge(rebased, "work rebased onto main"),
        ...notAMerge(ff, "work fast-forwarded"),
        `finding: commit ${unproven} ("Merge unproven"): a merge no run proves: No MLflow run ` +
        `is named for commit ${tip}; the merge message has no "MLflow-Run: <run id>" line and ` +
        `refs/notes/mlflow has no note on ${tip}`,
        `  fix: \`mlp verify-run --commit ${unproven}\` shows why; when a run of this project ` +
        'proves the merged tip, note it on the tip (`git notes --ref=mlflow append -m "MLflow-Run: ' +
        '<run id>" <tip>`), else review the merged change and undo it through a proven merge',
        ...exceptions,
        `exception: commit ${update} ("Update from the template"): a template update (it ` +
        "changes .copier-answers.yml, as `copier update` does)",
        `audit failed: 6 findings (${audited(copy, 10, 1, 3)})`,
      ].join("\n") + "\n",
    });
  });

  await t.step("--since a later day: those commits and the runs are not audited", async () => {
    const copy = history!;
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const later = await copy.mlp(["audit", "--since", tomorrow]);
    deepEqual({ code: later.code, stdout: later.stdout }, {
      code: 0,
      stdout: `audit clean: 0 commits on main since ${root12} (0 proven merges, 0 exceptions); ` +
        `0 runs on main, 0 promoted; ${LOG}: 1 entry; store ${copy.root}/mlflow.db\n`,
    });
  });

  await t.step("the last override-log entry edited: in the work tree, then committed", async () => {
    const copy = await copyOf(project);
    const path = join(copy.root, LOG);
    await Deno.writeTextFile(
      path,
      (await Deno.readTextFile(path)).replace(USE, "Scoring anything at all"),
    );
    const restore = "restore the committed entries (`git checkout HEAD -- " +
      `${LOG}\`) and find out who changed them`;
    const edited = await copy.mlp(["audit"]);
    deepEqual({ code: edited.code, stdout: edited.stdout }, {
      code: 1,
      stdout: [
        `finding: ${LOG}:1: line 1 of the committed ${LOG} was changed: the log is append-only ` +
        "(the work tree's log is not the one committed at HEAD plus new entries)",
        `  fix: ${restore}`,
        ...exceptions,
        `audit failed: 1 finding (${audited(copy, 3, 1)})`,
      ].join("\n") + "\n",
    });

    await copy.git(["commit", "--quiet", "--no-verify", "-am", "reword the promotion"]);
    const reword = (await sha(copy, "HEAD")).slice(0, 12);
    const committed = await copy.mlp(["audit"]);
    deepEqual({ code: committed.code, stdout: committed.stdout }, {
      code: 1,
      stdout: [
        `finding: commit ${reword} ("reword the promotion"): ${NOT_A_MERGE}`,
        notAMergeFix(reword),
        `finding: commit ${reword} ("reword the promotion"): changes committed entries of ${LOG}: ` +
        `its log does not start with the log of its first parent ${promo12}`,
        `  fix: \`git diff ${promo12} ${reword} -- ${LOG}\` shows the change; restore the entries ` +
        "on a branch, merge it, and find out who changed them",
        ...exceptions,
        `audit failed: 2 findings (${audited(copy, 4, 1)})`,
      ].join("\n") + "\n",
    });
  });

  await t.step(
    "a run left RUNNING, unlogged unsandboxed; a champion's dataset damaged",
    async () => {
      const copy = await copyOf(project);
      const head = await sha(copy, "HEAD");
      const planted = await copy.python<string>(`
import json
from mlflow.tracking import MlflowClient
client = MlflowClient("sqlite:///${copy.root}/mlflow.db")
run = client.create_run("0", tags={"mlp.owner.lock": ".mlp/runs/gone/supervisor.lock",
                                   "mlp.owner.pid": "4242", "sandbox": "none"})
client.log_param(run.info.run_id, "git_commit", "${head}")
print(json.dumps(run.info.run_id))
`);
      const shadow = join(copy.root, "data/shadow", project.datasetHash);
      await Deno.remove(join(shadow, "schema.json"));
      const out = await copy.mlp(["audit"]);
      deepEqual({ code: out.code, stdout: out.stdout }, {
        code: 1,
        stdout: [
          `finding: ${LOG}: run ${planted} ran with --unsandboxed, but ${LOG} has no ` +
          `"unsandboxed" entry of it`,
          "  fix: restore the log from git history (`git log -p -- logs/protected_overrides.log` " +
          "shows every committed version) and find out who changed it",
          `finding: run ${runId} (promoted): fails the promotion check "dataset": dataset ` +
          `"${project.datasetHash}" does not verify: File listed in MANIFEST.sha256 is missing ` +
          "from the dataset",
          "  fix: datasets are immutable: restore the original file, or add the changed data as a " +
          "new dataset with `mlp data add PATH…` and set dataset_version to the hash it prints; " +
          `revoke the promotion meanwhile (\`mlp promote ${runId} --revoke --reason "…"\`)`,
          `finding: run ${planted}: is RUNNING but its owner is gone: its supervisor (process ` +
          "4242) left no lock in this project (.mlp/runs/gone/supervisor.lock is missing)",
          "  fix: `mlp runs repair` ends it KILLED",
          ...exceptions,
          `audit failed: 3 findings (${audited(copy, 3, 1)})`,
        ].join("\n") + "\n",
      });
    },
  );

  await t.step("a metric of the run edited in the store: its seal breaks everywhere", async () => {
    const copy = await copyOf(project);
    const sealed = await copy.python<number>(`
import json, sqlite3
db = sqlite3.connect("${copy.root}/mlflow.db")
[(value,)] = db.execute("SELECT value FROM latest_metrics WHERE run_uuid = '${runId}' AND key = 'roc_auc'").fetchall()
for table in ("metrics", "latest_metrics"):
    db.execute(f"UPDATE {table} SET value = 0.99 WHERE run_uuid = '${runId}' AND key = 'roc_auc'")
db.commit()
print(json.dumps(value))
`);
    const changed = `its record changed since it was sealed: metric roc_auc: sealed ${sealed}, ` +
      `store has 0.99; metric history of roc_auc: sealed [${sealed}], store has [0.99]`;
    const tip = (await sha(copy, "agent/deeper")).slice(0, 12);
    const out = await copy.mlp(["audit"]);
    deepEqual({ code: out.code, stdout: out.stdout }, {
      code: 1,
      stdout: [
        `finding: commit ${merge12} ("Merge agent/deeper"): a merge no run proves: No MLflow run ` +
        `proves commit ${tip}: the run named does not; run ${runId}: ${changed}`,
        `  fix: \`mlp verify-run --commit ${merge12}\` shows why; when a run of this project ` +
        'proves the merged tip, note it on the tip (`git notes --ref=mlflow append -m "MLflow-Run: ' +
        '<run id>" <tip>`), else review the merged change and undo it through a proven merge',
        `finding: ${LOG}:1: run ${runId}: ${changed}`,
        "  fix: an entry must be the line mlp wrote for its run, and the run's record unchanged " +
        "since its seal: compare the log with its git history (`git log -p -- " +
        "logs/protected_overrides.log`) and the run with its seal (`mlp verify-run`), and find " +
        "out who changed which",
        `finding: run ${runId} (promoted): fails the promotion check "proves its commit": ${changed}`,
        "  fix: the same check as `mlp verify-run --commit <commit> --run <run>`: promote a run " +
        "made by `mlp run` at a commit of this project, whose record is unchanged; revoke the " +
        `promotion meanwhile (\`mlp promote ${runId} --revoke --reason "…"\`)`,
        ...exceptions,
        `audit failed: 3 findings (3 commits on main since ${root12} (0 proven merges, 2 ` +
        `exceptions); 1 run on main, 1 promoted; ${LOG}: 1 entry; store ${copy.root}/mlflow.db)`,
      ].join("\n") + "\n",
    });
  });

  await t.step("scaffold edited around the hook: each file is template drift", async () => {
    const copy = await copyOf(project);
    await Deno.writeTextFile(join(copy.root, ".githooks/pre-commit"), "#!/bin/sh\nexit 0\n");
    const agents = join(copy.root, "AGENTS.md");
    await Deno.writeTextFile(agents, `${await Deno.readTextFile(agents)}\nSkip the hooks.\n`);
    await Deno.writeTextFile(
      join(copy.root, "notes.md"),
      "<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> v1.1.0\n",
    );
    await copy.git(["add", "-A"]);
    await copy.git(["commit", "--quiet", "--no-verify", "-m", "Quiet the hooks"]);
    const out = await copy.mlp(["audit"]);
    equal(out.code, 1, out.stderr);
    const findings = out.stdout.split("\n").filter((line) => line.startsWith("finding: "));
    const commit = (await sha(copy, "HEAD")).slice(0, 12);
    const answers = await Deno.readTextFile(join(copy.root, ".copier-answers.yml"));
    // YAML-quoted when it reads as a number (a short hash of digits only).
    const version = answers.match(/^_commit: '?([^'\n]+)'?$/m)![1];
    deepEqual(findings.map((line) => line.replace(/ \(.*$/, "")), [
      `finding: commit ${commit}`,
      "finding: notes.md:1: conflict markers are left in the file",
      `finding: .githooks/pre-commit: changed against the template at ${version}`,
      `finding: AGENTS.md: changed against the template at ${version}`,
    ]);
  });
});

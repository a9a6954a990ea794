/**
 * The seal of a run (docs/seal.md), by a real run, real SQL edits of mlflow.db, a run forged with
 * the MLflow client, `mlp verify-run` and the real git merge gate.
 */
import { equal, match, notEqual } from "node:assert/strict";
import { join } from "node:path";
import { createProject, type TestProject } from "../support/project.ts";

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

async function sql(project: TestProject, statement: string): Promise<void> {
  const out = await new Deno.Command("sqlite3", {
    args: [join(project.root, "mlflow.db"), statement],
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

/** Runs `edit` on a copy of the store's state and puts the original back afterwards. */
async function withEditedStore(
  project: TestProject,
  edit: () => Promise<void>,
  check: () => Promise<void>,
) {
  const db = join(project.root, "mlflow.db");
  const saved = await Deno.readFile(db);
  try {
    await edit();
    await check();
  } finally {
    await Deno.writeFile(db, saved);
  }
}

/** `git merge` of the branch with `runId` named, which must be refused matching `pattern`. */
async function mergeRefused(project: TestProject, runId: string, pattern: RegExp): Promise<void> {
  const out = await project.git(
    ["merge", "--no-ff", "agent/seal", "-m", `Merge agent/seal\n\nMLflow-Run: ${runId}`],
    { allowFailure: true },
  );
  notEqual(out.code, 0);
  match(out.stderr, pattern);
  await project.git(["merge", "--abort"], { allowFailure: true });
}

Deno.test("a sealed run: verify-run and the merge gate refuse one whose record changed or that has no seal", async (t) => {
  const project = await createProject({ rows: 1500 });
  await project.git(["checkout", "--quiet", "-b", "agent/seal"]);
  await project.edit("configs/experiment.yaml", /max_depth: \d+/, "max_depth: 5");
  await project.git(["commit", "--quiet", "-am", "deeper trees"]);
  const out = await project.mlp(["run"]);
  equal(out.code, 0, out.stderr);
  const runId = lastLine(out.stdout);
  const commit = (await project.git(["rev-parse", "HEAD"])).stdout.trim();
  await project.git(["checkout", "--quiet", "main"]);
  const verify = () => project.mlp(["verify-run", "--commit", "agent/seal", "--run", runId]);

  await t.step(
    "the run is sealed, in its tag and in the git note, and verify-run accepts it",
    async () => {
      const run = await project.readRun(runId);
      match(run.tags["mlp.seal"], /^[0-9a-f]{64}$/);
      equal(run.artifacts.includes("mlp/seal.json"), true);
      const note = await project.git(["notes", "--ref=mlflow", "show", commit]);
      equal(note.stdout, `MLflow-Run: ${runId}\nMLflow-Seal: ${runId} ${run.tags["mlp.seal"]}\n`);
      const ok = await verify();
      equal(ok.code, 0, ok.stderr);
    },
  );

  const cases: [string, string, RegExp][] = [
    [
      "git_commit rewritten",
      `UPDATE params SET value = '${
        "f".repeat(40)
      }' WHERE key = 'git_commit' AND run_uuid = '${runId}'`,
      new RegExp(
        `its record changed since it was sealed: param git_commit: sealed "${commit}", store has "${
          "f".repeat(40)
        }"`,
      ),
    ],
    [
      "status rewritten",
      `UPDATE runs SET status = 'FAILED' WHERE run_uuid = '${runId}'`,
      /its record changed since it was sealed: status: sealed "FINISHED", store has "FAILED"/,
    ],
    [
      "latest metric rewritten",
      `UPDATE latest_metrics SET value = 1.0 WHERE key = 'roc_auc' AND run_uuid = '${runId}'`,
      /its record changed since it was sealed: metric roc_auc: sealed 0\.\d+, store has 1\b/,
    ],
    [
      "metric history rewritten",
      `UPDATE metrics SET value = 1.0 WHERE key = 'roc_auc' AND run_uuid = '${runId}'`,
      /its record changed since it was sealed: metric history of roc_auc: sealed \[0\.\d+\], store has \[1\]/,
    ],
  ];
  for (const [name, statement, pattern] of cases) {
    await t.step(`${name} with SQL: verify-run and the merge gate refuse the run`, async () => {
      await withEditedStore(project, () => sql(project, statement), async () => {
        const refused = await verify();
        equal(refused.code, 1, refused.stderr);
        match(refused.stderr, pattern);
        await mergeRefused(project, runId, pattern);
      });
    });
  }

  await t.step(
    "a metric rewritten and the seal tag recomputed to match: the git note still refuses it",
    async () => {
      const { openSqliteRunReader } = await import("../../src/tracking/sqlite_reader.ts");
      const { storedSealRecord } = await import("../../src/tracking/seal.ts");
      const { sealDigest } = await import("../../src/contract/seal.ts");
      await withEditedStore(project, async () => {
        await sql(
          project,
          `UPDATE latest_metrics SET value = 1.0 WHERE key = 'roc_auc' AND run_uuid = '${runId}'`,
        );
        await sql(
          project,
          `UPDATE metrics SET value = 1.0 WHERE key = 'roc_auc' AND run_uuid = '${runId}'`,
        );
        const reader = openSqliteRunReader(join(project.root, "mlflow.db"), project.root);
        const forged = sealDigest(await storedSealRecord(reader, (await reader.getRun(runId))!));
        reader.close();
        await sql(
          project,
          `UPDATE tags SET value = '${forged}' WHERE key = 'mlp.seal' AND run_uuid = '${runId}'`,
        );
      }, async () => {
        const refused = await verify();
        equal(refused.code, 1, refused.stderr);
        match(
          refused.stderr,
          /its record changed since it was sealed and its mlp\.seal tag was rewritten to match \(the git note holds the seal it had\): metric roc_auc: sealed 0\.\d+, store has 1\b/,
        );
      });
    },
  );

  await t.step(
    "a run forged with the MLflow client, carrying every param and tag: refused, it has no seal",
    async () => {
      const forged = await project.python<string>(`
import json
from mlflow.tracking import MlflowClient
client = MlflowClient("sqlite:///${project.root}/mlflow.db")
real = client.get_run("${runId}")
tags = {k: v for k, v in real.data.tags.items() if k != "mlp.seal"}
run = client.create_run(real.info.experiment_id, tags=tags)
for key, value in real.data.params.items():
    client.log_param(run.info.run_id, key, value)
for key, value in real.data.metrics.items():
    client.log_metric(run.info.run_id, key, value)
client.set_terminated(run.info.run_id, "FINISHED")
print(json.dumps(run.info.run_id))
`);
      const pattern = /the run has no seal: `mlp run` did not record it/;
      const refused = await project.mlp(["verify-run", "--commit", "agent/seal", "--run", forged]);
      equal(refused.code, 1, refused.stderr);
      match(refused.stderr, new RegExp(`run ${forged}: ${pattern.source}`));
      // The gate proves a tip with the runs noted on it first: without the note, only the
      // forged run named in the message is left to prove it.
      const note = (await project.git(["notes", "--ref=mlflow", "show", commit])).stdout;
      await project.git(["notes", "--ref=mlflow", "remove", commit]);
      try {
        await mergeRefused(project, forged, pattern);
      } finally {
        await project.git(["notes", "--ref=mlflow", "add", "-m", note.trimEnd(), commit]);
      }
    },
  );

  await t.step("the untouched run still proves the merge", async () => {
    const merged = await project.git(
      ["merge", "--no-ff", "agent/seal", "-m", `Merge agent/seal\n\nMLflow-Run: ${runId}`],
      { allowFailure: true },
    );
    equal(merged.code, 0, merged.stderr);
  });
});

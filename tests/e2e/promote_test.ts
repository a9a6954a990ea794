/**
 * `mlp promote`, `mlp promote --revoke` and `mlp models` (docs/promotion.md) on real runs of a
 * project from the template, merged through the real merge gate: every refusal with the check it
 * names (and nothing written), a promotion read back with the official MLflow client (run tags,
 * the card's params, the registered version and its tags, the alias, the champion scoring raw
 * rows), the seal still holding, the audit log, a second champion and its revocation.
 */
import { deepEqual, equal, match, notEqual, ok } from "node:assert/strict";
import { join } from "node:path";
import { createProject, type Output, type TestProject } from "../support/project.ts";
import { approversSection, makeSshKey } from "../support/ssh_key.ts";

const NAME = "acme_bank.credit_risk";
const USE = "Scoring retail credit applications for the underwriting team";
const LOG = "logs/protected_overrides.log";

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1)!;
}

/** Commits on a new branch, runs `mlp run` there, and merges it into main through the gate. */
async function mergedRun(
  project: TestProject,
  branch: string,
  change: () => Promise<void>,
): Promise<string> {
  await project.git(["checkout", "--quiet", "-b", branch, "main"]);
  await change();
  await project.git(["commit", "--quiet", "--allow-empty", "-am", `experiment ${branch}`]);
  const run = await project.mlp(["run"]);
  equal(run.code, 0, run.stderr);
  const runId = lastLine(run.stdout);
  await project.git(["checkout", "--quiet", "main"]);
  await project.git(["merge", "--no-ff", branch, "-m", `Merge ${branch}\n\nMLflow-Run: ${runId}`]);
  return runId;
}

/** `mlp run` on a branch that is never merged; the run's exit code is the caller's to check. */
async function branchRun(
  project: TestProject,
  branch: string,
  change: () => Promise<void>,
  flags: string[] = [],
  commit = true,
): Promise<{ out: Output; runId: string | null }> {
  await project.git(["checkout", "--quiet", "-b", branch, "main"]);
  await change();
  if (commit) {
    await project.git(["commit", "--quiet", "--allow-empty", "-am", `experiment ${branch}`]);
  }
  const out = await project.mlp(["run", ...flags]);
  const runId = (await project.runs()).at(-1)?.runId ?? null;
  await project.git(["checkout", "--quiet", "--force", "main"]);
  await project.git(["clean", "--quiet", "-fd", "src", "configs"]);
  return { out, runId };
}

/** The registry of the project's store, by the official MLflow client. */
function registry(project: TestProject): Promise<{
  versions: { version: string; run_id: string; tags: Record<string, string> }[];
  champion: string | null;
}> {
  return project.python(`
import json
from mlflow.tracking import MlflowClient
from mlflow.exceptions import MlflowException
client = MlflowClient("sqlite:///${project.root}/mlflow.db")
try:
    versions = client.search_model_versions("name='${NAME}'")
except MlflowException:
    versions = []
try:
    champion = client.get_model_version_by_alias("${NAME}", "champion").version
except MlflowException:
    champion = None
print(json.dumps({"versions": sorted([{"version": v.version, "run_id": v.run_id, "tags": v.tags}
                   for v in versions], key=lambda v: int(v["version"])), "champion": champion}))
`);
}

async function refused(project: TestProject, runId: string, check: RegExp, env = {}) {
  const log = await Deno.readTextFile(join(project.root, LOG)).catch(() => "");
  const out = await project.mlp(["promote", runId, "--intended-use", USE], { env });
  equal(out.code, 1, out.stderr);
  match(out.stderr, new RegExp(`cannot be promoted: check.*"${check.source}"`));
  match(out.stderr, new RegExp(`- ${check.source}: .*; fix: `));
  match(out.stderr, /nothing was written/);
  equal(out.stdout, "");
  equal(
    await Deno.readTextFile(join(project.root, LOG)).catch(() => ""),
    log,
    "the audit log changed",
  );
  return out;
}

Deno.test("mlp promote refuses each unfit run, naming the check and its fix, and writes nothing", async (t) => {
  const project = await createProject({ rows: 1500 });
  const good = await mergedRun(project, "exp/good", async () => {});

  await t.step("an AI agent cannot promote", async () => {
    const out = await refused(project, good, /operator/, { MLP_AGENT: "1" });
    match(out.stderr, /an AI agent cannot promote a model/);
  });

  await t.step("a dirty, unsandboxed run: both checks fail", async () => {
    const { out, runId } = await branchRun(
      project,
      "exp/dirty",
      () => project.edit("src/features.py", /$/, "\n\nDIRTY = True\n"),
      ["--unsandboxed", "--reason", "debugging on a laptop"],
      false,
    );
    equal(out.code, 0, out.stderr);
    const refusal = await refused(project, runId!, /clean tree/);
    match(refusal.stderr, /clean tree: git_dirty is "true"/);
    match(refusal.stderr, /no escape hatch: the run was made with --unsandboxed/);
    // The dirty run's commit is main's tip, so only its tree and sandbox disqualify it.
  });

  await t.step("a run on a branch never merged is not on main", async () => {
    const { out, runId } = await branchRun(
      project,
      "exp/unmerged",
      () => project.edit("configs/experiment.yaml", /max_depth: \d+/, "max_depth: 3"),
    );
    equal(out.code, 0, out.stderr);
    const refusal = await refused(project, runId!, /on the main branch/);
    match(
      refusal.stderr,
      /is not on main; fix: merge the run's branch into main through the merge gate/,
    );
  });

  await t.step("a FAILED run", async () => {
    const { out, runId } = await branchRun(project, "exp/broken", () =>
      project.edit(
        "src/features.py",
        "def build_features(df: pd.DataFrame, params: dict) -> pd.DataFrame:\n",
        'def build_features(df: pd.DataFrame, params: dict) -> pd.DataFrame:\n    raise RuntimeError("broken on purpose")\n',
      ));
    equal(out.code, 1, out.stderr);
    ok(runId, out.stderr);
    const refusal = await refused(project, runId!, /finished/);
    match(refusal.stderr, /finished: the run is FAILED, not FINISHED/);
  });

  await t.step("a protected override", async () => {
    const { out, runId } = await branchRun(
      project,
      "exp/override",
      async () => {
        await project.edit(
          "configs/experiment.yaml",
          /split_strategy: stratified_kfold/g,
          "split_strategy: temporal_split",
        );
        await project.edit(
          "configs/experiment.yaml",
          /^(\s+)target_column: default$/m,
          "$1target_column: default\n$1date_column: application_date",
        );
      },
      ["--override-protected", "--reason", "validator asked for a temporal check"],
      false,
    );
    equal(out.code, 0, out.stderr);
    const refusal = await refused(project, runId!, /protected fields/);
    match(
      refusal.stderr,
      /protected fields: protected.split_strategy: run has "temporal_split", the standards have "stratified_kfold"/,
    );
    match(refusal.stderr, /no escape hatch: the run used --override-protected/);
  });

  await t.step(
    "a model whose feature code cannot score raw rows (and cannot reach the network)",
    async () => {
      const hostile = await mergedRun(project, "exp/hostile", () =>
        project.edit(
          "src/features.py",
          "def build_features(df: pd.DataFrame, params: dict) -> pd.DataFrame:\n",
          "def build_features(df: pd.DataFrame, params: dict) -> pd.DataFrame:\n" +
            "    if len(df) < 500:  # scoring, not training: try to phone home\n" +
            '        __import__("socket").create_connection(("127.0.0.1", 5432), timeout=2)\n',
        ));
      const refusal = await refused(project, hostile, /model scores/);
      match(
        refusal.stderr,
        /model scores: the model did not score 200 raw rows of the dataset: PermissionError/,
      );
    },
  );

  await t.step("a dataset changed on disk", async () => {
    const dir = join(project.root, "data/shadow", project.datasetHash);
    const table = [...Deno.readDirSync(dir)].find((e) => e.name.endsWith(".parquet"))!.name;
    const path = join(dir, table);
    const bytes = await Deno.readFile(path);
    await Deno.chmod(path, 0o644);
    await Deno.writeFile(path, new Uint8Array([...bytes, 0]));
    try {
      const refusal = await refused(project, good, /dataset/);
      match(
        refusal.stderr,
        new RegExp(`dataset: dataset "${project.datasetHash}" does not verify`),
      );
    } finally {
      await Deno.writeFile(path, bytes);
      await Deno.chmod(path, 0o444);
    }
  });

  await t.step(
    "a run whose record was edited after its seal does not prove its commit",
    async () => {
      await project.python(`
from mlflow.tracking import MlflowClient
MlflowClient("sqlite:///${project.root}/mlflow.db").set_tag("${good}", "mlflow.runName", "forged")
print("null")
`);
      const refusal = await refused(project, good, /proves its commit/);
      match(refusal.stderr, /proves its commit: .*its record changed since it was sealed/);
    },
  );

  await t.step("nothing reached the registry", async () => {
    deepEqual(await registry(project), { versions: [], champion: null });
  });
});

Deno.test("mlp promote makes a champion that scores raw rows; --revoke brings the previous one back", async (t) => {
  const project = await createProject({ rows: 1500 });
  const first = await mergedRun(project, "exp/first", async () => {});
  const second = await mergedRun(
    project,
    "exp/second",
    () => project.edit("configs/experiment.yaml", /max_depth: \d+/, "max_depth: 3"),
  );

  await t.step("the first run becomes v1, the champion", async () => {
    const out = await project.mlp(["promote", first, "--intended-use", USE]);
    equal(out.code, 0, out.stderr);
    match(
      out.stdout,
      new RegExp(
        `^${
          NAME.replace(".", "\\.")
        } v1 is champion: run ${first}, promoted by operator@bank\\.test \\(200 raw rows scored in the sandbox\\)`,
      ),
    );
    match(out.stdout, /commit logs\/protected_overrides\.log/);
    match(
      out.stderr,
      /mlp: warning: configs\/project_standards\.yaml on the main branch lists no approvers, so this promotion is recorded unsigned: "operator@bank\.test" is self-asserted/,
    );
  });

  await t.step("read back with the MLflow client: tags, card params, version, alias", async () => {
    const run = await project.readRun(first);
    equal(run.tags.promoted, "true");
    equal(run.tags.promoted_by, "operator@bank.test");
    match(run.tags.promotion_timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    equal(run.tags["mlp.registered_model"], NAME);
    equal(run.tags["mlp.registered_version"], "1");
    equal(run.params["card.intended_use"], USE);
    equal(run.params["card.approver"], "operator@bank.test");
    equal(run.params["card.approval_time"], run.tags.promotion_timestamp);
    equal(run.params["card.dataset_hash"], project.datasetHash);
    equal(run.params["card.schema_hash"], run.params.dataset_schema_hash);
    equal(run.params["card.commit"], run.params.git_commit);
    equal(run.params["card.dependency_lock_hash"], run.params.dependency_lock_hash);
    equal(run.params["card.feature_pipeline_hash"], run.params.feature_pipeline_hash);
    equal(run.params["card.mlp_build"], run.params.mlp_build);
    match(
      run.params["card.metric.roc_auc"],
      new RegExp(
        `^${
          run.metrics.roc_auc.toFixed(4)
        } \\(5 folds: mean 0\\.\\d{4}, std 0\\.\\d{4}, min 0\\.\\d{4}, max 0\\.\\d{4}\\)$`,
      ),
    );
    const reg = await registry(project);
    equal(reg.champion, "1");
    equal(reg.versions.length, 1);
    equal(reg.versions[0].run_id, first);
    equal(reg.versions[0].tags["card.intended_use"], USE);
    equal(reg.versions[0].tags["card.metric.roc_auc"], run.params["card.metric.roc_auc"]);
    equal(reg.versions[0].tags["mlp.previous_champion"], "");
  });

  await t.step("models:/<client>.<project>@champion loads and scores raw rows", async () => {
    const scores = await project.python<{ champion: number[]; run: number[] }>(`
import json, glob, mlflow, pandas
mlflow.set_tracking_uri("sqlite:///${project.root}/mlflow.db")
table = glob.glob("${project.root}/data/shadow/${project.datasetHash}/*.parquet")[0]
raw = pandas.read_parquet(table).head(5).drop(columns=["default"])
champion = mlflow.pyfunc.load_model("models:/${NAME}@champion").predict(raw)
run = mlflow.pyfunc.load_model("runs:/${first}/model").predict(raw)
print(json.dumps({"champion": [float(x) for x in list(champion)], "run": [float(x) for x in list(run)]}))
`);
    equal(scores.champion.length, 5);
    ok(scores.champion.every((s) => s >= 0 && s <= 1), JSON.stringify(scores));
    deepEqual(scores.champion, scores.run);
  });

  await t.step("the seal still holds, and the audit log holds the promotion", async () => {
    const verify = await project.mlp(["verify-run", "--commit", "exp/first", "--run", first]);
    equal(verify.code, 0, verify.stderr);
    const entries = (await Deno.readTextFile(join(project.root, LOG))).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    const entry = entries.at(-1);
    equal(entry.kind, "promotion");
    equal(entry.field, NAME);
    equal(entry.new, "champion");
    equal(entry.run_id, first);
    equal(entry.reason, USE);
    equal(entry.operator, "operator@bank.test");
    const logVerify = await project.mlp(["log", "verify"]);
    equal(logVerify.code, 0, logVerify.stderr);
  });

  await t.step("a promoted run is not promoted again", async () => {
    const out = await project.mlp(["promote", first, "--intended-use", USE]);
    equal(out.code, 1);
    match(out.stderr, /"not promoted"/);
  });

  const key = await makeSshKey("operator@bank.test");
  await t.step("once main lists approvers, an unsigned promotion is refused", async () => {
    await project.edit(
      "configs/project_standards.yaml",
      /^approvers: \[\]$/m,
      approversSection("operator@bank.test", key, ["promotion"]),
    );
    await project.git(["add", "configs/project_standards.yaml"]);
    await project.git(["commit", "--quiet", "-m", "The operator approves promotions"]);
    const log = await Deno.readTextFile(join(project.root, LOG));
    const out = await project.mlp(["promote", second, "--intended-use", USE]);
    equal(out.code, 1, out.stderr);
    match(out.stderr, /A promotion by "operator@bank\.test" must be signed with their SSH key/);
    equal(await Deno.readTextFile(join(project.root, LOG)), log);
  });

  await t.step("the second run becomes v2; v1 is its previous champion", async () => {
    const out = await project.mlp([
      "promote",
      second,
      "--intended-use",
      USE,
      "--sign-key",
      key.path,
    ]);
    equal(out.code, 0, out.stderr);
    match(out.stdout, /v2 is champion: .*; previous champion v1/);
    const listed = await project.mlp(["models", "--json"]);
    equal(listed.code, 0, listed.stderr);
    const models = JSON.parse(listed.stdout);
    equal(models.name, NAME);
    equal(models.champion, "2");
    deepEqual(models.versions.map((v: { run_id: string }) => v.run_id), [first, second]);
    const table = await project.mlp(["models"]);
    match(table.stdout, new RegExp(`v2\\s+champion\\s+${second}`));
  });

  await t.step("--revoke needs a reason, and an agent cannot revoke", async () => {
    const noReason = await project.mlp(["promote", "--revoke", second]);
    equal(noReason.code, 2);
    match(noReason.stderr, /--revoke requires --reason/);
    const agent = await project.mlp(["promote", "--revoke", second, "--reason", "x"], {
      env: { CLAUDECODE: "1" },
    });
    equal(agent.code, 1);
    match(agent.stderr, /an AI agent cannot revoke a promotion/);
  });

  await t.step("revoking v2 makes v1 champion again; revoking v1 leaves none", async () => {
    const out = await project.mlp([
      "promote",
      "--revoke",
      second,
      "--reason",
      "drift on Q3 applications",
      "--sign-key",
      key.path,
    ]);
    equal(out.code, 0, out.stderr);
    match(out.stdout, /v2 \(run [0-9a-f]{32}\) revoked; champion is v1/);
    let reg = await registry(project);
    equal(reg.champion, "1");
    equal(reg.versions[1].tags["mlp.revoked"], "true");
    equal(reg.versions[1].tags.promotion_revoked_reason, "drift on Q3 applications");
    const run = await project.readRun(second);
    equal(run.tags.promotion_revoked, "true");
    equal(run.tags.promotion_revoked_by, "operator@bank.test");

    const last = await project.mlp([
      "promote",
      "--revoke",
      first,
      "--reason",
      "retired",
      "--sign-key",
      key.path,
    ]);
    equal(last.code, 0, last.stderr);
    match(last.stdout, /no champion now/);
    reg = await registry(project);
    equal(reg.champion, null);
    const entries = (await Deno.readTextFile(join(project.root, LOG))).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    deepEqual(entries.slice(-2).map((e) => [e.kind, e.run_id]), [["promotion_revoked", second], [
      "promotion_revoked",
      first,
    ]]);
  });

  await t.step(
    "every approval after the approver was configured is signed and verifies",
    async () => {
      const entries = (await Deno.readTextFile(join(project.root, LOG))).trim().split("\n").map((
        l,
      ) => JSON.parse(l));
      deepEqual(
        entries.map((e) => [e.kind, typeof e.sig]),
        [
          ["promotion", "undefined"],
          ["promotion", "string"],
          ["promotion_revoked", "string"],
          ["promotion_revoked", "string"],
        ],
      );
      const verify = await project.mlp(["log", "verify"]);
      equal(verify.code, 0, verify.stderr);
      equal(
        verify.stderr,
        "mlp: note: 1 approval is unsigned, made while main listed no approvers (line 1): who " +
          "approved is self-asserted\n",
      );
    },
  );

  await t.step("a revoked run is not promoted again", async () => {
    const out = await project.mlp([
      "promote",
      second,
      "--intended-use",
      USE,
      "--sign-key",
      key.path,
    ]);
    equal(out.code, 1);
    match(
      out.stderr,
      /not promoted: the run's promotion was revoked on .* by operator@bank\.test: "drift on Q3 applications"/,
    );
    notEqual((await registry(project)).champion, "2");
  });
});

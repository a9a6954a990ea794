/**
 * The plan's Full checkpoint, end to end and out of the box: a new client project from the Copier
 * template, a run on a branch, a merge through the real merge gate, `mlp promote`, the champion
 * scoring raw rows through the registry, `mlp card`, and `mlp backup` with `mlp backup verify`,
 * each read back with the official MLflow client or from the files it wrote.
 */
import { equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { createProject } from "../support/project.ts";

const NAME = "acme_bank.credit_risk";

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1)!;
}

Deno.test("Full checkpoint: template, run, merge gate, promote, card, backup and its verification", async (t) => {
  const project = await createProject({ rows: 1500 });
  let runId = "";

  await t.step("a run on a branch, merged through the gate", async () => {
    await project.git(["checkout", "--quiet", "-b", "exp/depth"]);
    await project.edit("configs/experiment.yaml", /max_depth: \d+/, "max_depth: 3");
    await project.git(["commit", "--quiet", "-am", "shallower trees"]);
    const run = await project.mlp(["run"]);
    equal(run.code, 0, run.stderr);
    runId = lastLine(run.stdout);
    await project.git(["checkout", "--quiet", "main"]);
    const merge = await project.git(
      ["merge", "--no-ff", "exp/depth", "-m", `Merge exp/depth\n\nMLflow-Run: ${runId}`],
      { allowFailure: true },
    );
    equal(merge.code, 0, merge.stderr);
    match(merge.stderr, new RegExp(`proven by MLflow run ${runId}`));
  });

  await t.step("mlp promote: the champion scores raw rows through the registry", async () => {
    const out = await project.mlp(["promote", runId, "--intended-use", "Credit applications"]);
    equal(out.code, 0, out.stderr);
    match(out.stdout, new RegExp(`^${NAME.replace(".", "\\.")} v1 is champion: run ${runId}`));
    await project.git(["commit", "--quiet", "-m", "promote", "logs/protected_overrides.log"]);
    const scores = await project.python<{ n: number; ok: boolean; model: string }>(`
import glob, json, mlflow, pandas
from mlflow.tracking import MlflowClient
mlflow.set_tracking_uri("sqlite:///${project.root}/mlflow.db")
table = glob.glob("${project.root}/data/shadow/${project.datasetHash}/*.parquet")[0]
raw = pandas.read_parquet(table).sample(50, random_state=1).drop(columns=["default"])
scores = mlflow.pyfunc.load_model("models:/${NAME}@champion").predict(raw)
version = MlflowClient().get_model_version_by_alias("${NAME}", "champion")
print(json.dumps({"n": len(scores), "ok": bool(((scores >= 0) & (scores <= 1)).all()), "model": version.run_id}))
`);
    equal(scores.n, 50);
    ok(scores.ok);
    equal(scores.model, runId);
  });

  await t.step("mlp card: the card of the champion, from the record", async () => {
    const file = join(project.root, "..", "card.md");
    const out = await project.mlp(["card", runId, "--output", file]);
    equal(out.code, 0, out.stderr);
    const card = await Deno.readTextFile(file);
    match(card, /Intended use: Credit applications/);
    match(card, new RegExp(project.datasetHash));
    match(card, /Approver \(card\.approver\): operator@bank\.test/);
  });

  await t.step("mlp backup verifies its own restore; mlp backup verify re-checks it", async () => {
    const backups = await Deno.makeTempDir({ prefix: "mlp-checkpoint-backups-" });
    const out = await project.mlp(["backup", "--to", backups]);
    equal(out.code, 0, out.stderr);
    match(out.stdout + out.stderr, /backup verified: 1 runs?, \d+ artifacts, [\d.]+ MiB/);
    const [dir] = [...Deno.readDirSync(backups)].filter((e) => e.name.startsWith("mlp-backup-"));
    const verify = await project.mlp(["backup", "verify", join(backups, dir.name)]);
    equal(verify.code, 0, verify.stderr);
  });
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import { commitAll, git, makeProject, mlp, provingParams, writeFiles } from "../hooks/testing.ts";
import { openSqliteRunReader } from "../tracking/sqlite_reader.ts";
import { writeMlflowRuns } from "../tracking/testing.ts";
import { verifyRun } from "./verify_run.ts";

Deno.test("verifyRun() and mlp verify-run prove a commit only with a matching FINISHED run", async (t) => {
  const root = await makeProject();
  const first = (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
  await writeFiles(root, { "src/helpers.py": "def lag(x):\n    return x[1:]\n" });
  assert.equal((await commitAll(root, "Feature code change")).code, 0);
  const second = (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
  const atFirst = await provingParams(root, first);
  const atSecond = await provingParams(root, second);
  const [good, stale] = await writeMlflowRuns(`sqlite:///${join(root, "mlflow.db")}`, [
    { params: atSecond, tags: { "mlp.config": "configs/experiment.yaml" }, sealed: true },
    { params: atFirst, tags: { "mlp.config": "configs/experiment.yaml" }, sealed: true },
  ]);
  const reader = openSqliteRunReader(join(root, "mlflow.db"));
  try {
    await t.step("a matching run proves the commit", async () => {
      assert.deepEqual(await verifyRun(root, { commit: "HEAD", runId: good, reader }), {
        commit: second,
        runId: good,
        checked: [{ runId: good, problems: [] }],
      });
    });

    await t.step(
      "a run at another commit is refused with every differing fingerprint",
      async () => {
        await assert.rejects(
          () => verifyRun(root, { commit: second, runIds: [stale, "0".repeat(32)], reader }),
          (error: unknown) => {
            assert.ok(error instanceof CheckError);
            assert.equal(
              error.message,
              `No MLflow run proves commit ${second.slice(0, 12)}: none of the 2 runs named does`,
            );
            assert.deepEqual(error.details, [
              `run ${stale}: git_commit: run has "${first}", commit has "${second}"`,
              `run ${stale}: feature_pipeline_hash: run has "${atFirst.feature_pipeline_hash}", ` +
              `commit has "${atSecond.feature_pipeline_hash}"`,
              `run ${stale}: project_code_hash: run has "${atFirst.project_code_hash}", ` +
              `commit has "${atSecond.project_code_hash}"`,
              `run ${"0".repeat(32)}: no such run in ${join(root, "mlflow.db")}`,
            ]);
            return true;
          },
        );
      },
    );

    await t.step("without run IDs, the runs noted on the commit are the candidates", async () => {
      await assert.rejects(
        () => verifyRun(root, { commit: second, reader }),
        /No MLflow run is named/,
      );
      await git(root, ["notes", "--ref=mlflow", "add", "-m", `MLflow-Run: ${good}`, second]);
      assert.equal((await verifyRun(root, { commit: second, reader })).runId, good);
    });
  } finally {
    reader.close();
  }

  await t.step(
    "mlp verify-run prints the proof, as JSON on request, and exits 1 or 2 otherwise",
    async () => {
      assert.deepEqual(await mlp(root, ["verify-run", "--commit", second]), {
        code: 0,
        stdout: `Commit ${second} is proven by MLflow run ${good}\n`,
        stderr: "",
      });
      const json = await mlp(root, ["verify-run", "--commit", second, "--run", good, "--json"]);
      assert.deepEqual(JSON.parse(json.stdout), {
        commit: second,
        runId: good,
        checked: [{ runId: good, problems: [] }],
      });
      const refused = await mlp(root, ["verify-run", "--commit", first, "--run", good]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^error: No MLflow run proves commit /);
      const invalid = await mlp(root, ["verify-run", "--run", "abc"]);
      assert.equal(invalid.code, 2);
      assert.equal(
        invalid.stderr,
        'error: --run "abc" is not an MLflow run ID\n' +
          "hint: a run ID is 32 lowercase hex characters, as `mlp run` prints it\n",
      );
      const unknown = await mlp(root, ["verify-run", "--commit", "nope"]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /^error: "nope" is not a commit in this repository/);
    },
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("verifyRun() refuses a run of another project, by its tags or its experiment", async () => {
  const root = await makeProject();
  const head = (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
  const params = await provingParams(root, head);
  const uri = `sqlite:///${join(root, "mlflow.db")}`;
  const tags = { "mlp.config": "configs/experiment.yaml" };
  const [otherClient] = await writeMlflowRuns(uri, [
    { params, tags: { ...tags, client_name: "bank_y" }, sealed: true },
  ]);
  // The same project's tags, recorded in another project's experiment of a shared store.
  const [otherExperiment] = await writeMlflowRuns(
    uri,
    [{
      params,
      tags: { ...tags, client_name: "bank_x", project_name: "fraud_model_v1" },
      sealed: true,
    }],
    "bank_y/churn",
  );
  const reader = openSqliteRunReader(join(root, "mlflow.db"));
  try {
    await assert.rejects(
      () => verifyRun(root, { commit: head, runIds: [otherClient, otherExperiment], reader }),
      (error: unknown) => {
        assert.ok(error instanceof CheckError);
        assert.deepEqual(error.details, [
          `run ${otherClient}: client_name: run has "bank_y", commit's "configs/experiment.yaml" ` +
          'has "bank_x": it is a run of another project',
          `run ${otherExperiment}: experiment: run is in "bank_y/churn", this project's is ` +
          '"bank_x/fraud_model_v1" (client_name/project_name of "configs/experiment.yaml")',
        ]);
        return true;
      },
    );
  } finally {
    reader.close();
    await Deno.remove(root, { recursive: true });
  }
});

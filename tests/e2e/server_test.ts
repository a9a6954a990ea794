/**
 * The team-scale path of DESIGN.md: the same `mlp` pointed at an MLflow tracking server backed
 * by PostgreSQL (MLFLOW_TRACKING_URI=http://…). Runs are recorded through the server, read back
 * with the official MLflow client, and the merge gate reads them over MLflow's REST API.
 *
 * Needs PostgreSQL on 127.0.0.1:5432 with trust auth for user postgres (MLP_TEST_POSTGRES
 * overrides the server URL) and the server environment of scripts/server_env.sh.
 */
import { deepEqual, equal, match, notEqual } from "node:assert/strict";
import { join } from "node:path";
import { createProject, exec, MLP_ROOT } from "../support/project.ts";
import { type MlflowServer, startMlflowServer } from "../../src/tracking/testing.ts";
import { exists } from "../../src/project/exists.ts";

const POSTGRES = Deno.env.get("MLP_TEST_POSTGRES") ?? "postgresql://postgres@127.0.0.1:5432";
const SERVER_PYTHON = join(MLP_ROOT, ".cache/mlflow-server/bin/python");

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

/** Runs SQL on the server's `postgres` database; throws with psql's message on failure. */
async function psql(sql: string): Promise<void> {
  const out = await exec("psql", [`${POSTGRES}/postgres`, "-v", "ON_ERROR_STOP=1", "-c", sql], "/");
  if (out.code !== 0) throw new Error(`psql failed: ${out.stderr}`);
}

Deno.test("mlp run and the merge gate through an MLflow server on PostgreSQL", async (t) => {
  const database = `mlp_test_${crypto.randomUUID().replaceAll("-", "")}`;
  await psql(`CREATE DATABASE ${database}`);
  let server: MlflowServer | undefined;
  try {
    const project = await createProject({ rows: 1500 });
    server = await startMlflowServer(`${POSTGRES}/${database}`, {
      python: SERVER_PYTHON,
      artifactsDir: join(project.root, "..", "server-artifacts"),
    });
    const url = server.url;
    const env = { MLFLOW_TRACKING_URI: url };
    const python = (code: string) => project.python<Record<string, unknown>>(code);
    // The team's store is a committed setting: the gate reads runs only there.
    await project.edit(
      "configs/project_standards.yaml",
      /^tracking_store: .*$/m,
      `tracking_store: ${url}`,
    );
    await project.git(["commit", "--quiet", "-am", "The team's MLflow server holds the runs"]);
    await project.git(["checkout", "--quiet", "-b", "agent/shallower"]);
    await project.edit("configs/experiment.yaml", /max_depth: \d+/, "max_depth: 3");
    await project.git(["commit", "--quiet", "-am", "shallower trees"]);
    const head = (await project.git(["rev-parse", "HEAD"])).stdout.trim();
    const run = await project.mlp(["run"], { env });
    equal(run.code, 0, run.stderr);
    const runId = lastLine(run.stdout);

    await t.step(
      "the run is in the server's PostgreSQL store, not in a local mlflow.db",
      async () => {
        equal(await exists(join(project.root, "mlflow.db")), false);
        const found = await python(`
import json, mlflow
from mlflow.tracking import MlflowClient
mlflow.set_tracking_uri("${url}")
run = MlflowClient().get_run("${runId}")
model = mlflow.pyfunc.load_model("runs:/${runId}/model")
print(json.dumps({"status": run.info.status, "git_commit": run.data.params["git_commit"],
                  "git_dirty": run.data.params["git_dirty"], "max_depth": run.data.params["hyperparameters.max_depth"],
                  "client": run.data.tags["client_name"], "has_auc": "roc_auc" in run.data.metrics,
                  "model": type(model).__name__}))
`);
        deepEqual(found, {
          status: "FINISHED",
          git_commit: head,
          git_dirty: "false",
          max_depth: "3",
          client: "acme_bank",
          has_auc: true,
          model: "PyFuncModel",
        });
      },
    );

    await t.step("mlp verify-run proves the commit over the REST API", async () => {
      const verified = await project.mlp(["verify-run", "--commit", head, "--json"], { env });
      equal(verified.code, 0, verified.stderr);
      equal(JSON.parse(verified.stdout).runId, runId);
    });

    await t.step("the merge gate reads the server: a proven merge goes through", async () => {
      await project.git(["checkout", "--quiet", "main"]);
      const merged = await project.git(
        ["merge", "--no-ff", "agent/shallower", "-m", "Merge agent/shallower"],
        { env, allowFailure: true },
      );
      equal(merged.code, 0, merged.stderr);
      match((await project.git(["log", "-1", "--format=%P"])).stdout, new RegExp(head));
    });

    await t.step("a branch no run proves is blocked, read through the server", async () => {
      await project.git(["checkout", "--quiet", "-b", "agent/unproven", "main"]);
      await project.edit("configs/experiment.yaml", /max_depth: \d+/, "max_depth: 5");
      await project.git(["commit", "--quiet", "-am", "deeper, never run"]);
      await project.git(["checkout", "--quiet", "main"]);
      const merge = ["merge", "--no-ff", "agent/unproven", "-m", "Merge agent/unproven"];
      const blocked = await project.git(merge, { env, allowFailure: true });
      notEqual(blocked.code, 0);
      match(blocked.stderr, /MLflow-Run/);
      await project.git(["merge", "--abort"], { allowFailure: true });
      // Without MLFLOW_TRACKING_URI the gate reads the committed server all the same.
      const unset = await project.git(merge, { allowFailure: true });
      notEqual(unset.code, 0);
      match(unset.stderr, /MLflow-Run/);
      await project.git(["merge", "--abort"], { allowFailure: true });
      // A store the standards do not name is refused, whatever it holds.
      const local = await project.git(merge, {
        env: { MLFLOW_TRACKING_URI: "sqlite:///mlflow.db" },
        allowFailure: true,
      });
      notEqual(local.code, 0);
      match(
        local.stderr,
        new RegExp(
          '^error: MLFLOW_TRACKING_URI "sqlite:///mlflow.db" is not the store this project\'s runs ' +
            `must be in: configs/project_standards.yaml at HEAD names "${
              url.replaceAll(".", "\\.")
            }"\n`,
        ),
      );
      await project.git(["merge", "--abort"], { allowFailure: true });
    });
  } finally {
    await server?.stop();
    await psql(`DROP DATABASE ${database} WITH (FORCE)`);
  }
});

/**
 * `mlp run` end to end (issue 2): a real project, real git, uv, MLflow; results read back with
 * the official MLflow client.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { gitCode, projectCodeHash } from "../../src/fingerprint/code_hash.ts";
import { TextLineStream } from "../../src/run/text_lines.ts";
import { createProject, exec, MLP_ROOT, type TestProject } from "../support/project.ts";

const RUN_ID = /^[0-9a-f]{32}$/;

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

async function headCommit(project: TestProject): Promise<string> {
  return (await project.git(["rev-parse", "HEAD"])).stdout.trim();
}

Deno.test("mlp run records a FINISHED run with every Tier 1 field equal to its true value", async (t) => {
  const project = await createProject();
  const { root } = project;
  const out = await project.mlp(["run"]);
  equal(out.code, 0, out.stderr);
  const runId = lastLine(out.stdout);
  match(runId, RUN_ID);
  const run = await project.readRun(runId);
  const schemaBytes = await Deno.readFile(
    join(root, "data/shadow", project.datasetHash, "schema.json"),
  );

  await t.step("status, tags and Tier 1 fingerprints", async () => {
    equal(run.status, "FINISHED");
    equal(run.tags.client_name, "acme_bank");
    equal(run.tags.project_name, "credit_risk");
    equal(run.tags.use_case, "credit_risk");
    equal(run.tags.sandbox, "landlock");
    equal(run.params.git_commit, await headCommit(project));
    equal(run.params.git_dirty, "false");
    equal(run.params.dependency_lock_hash, sha256(await Deno.readFile(join(root, "uv.lock"))));
    equal(run.params.dataset_hash, project.datasetHash);
    equal(run.params.dataset_schema_hash, sha256(schemaBytes));
    match(run.params.feature_pipeline_hash, /^[0-9a-f]{64}$/);
    equal(run.params.feature_pipeline_version, run.params.feature_pipeline_hash);
    equal(run.params.mlp_version, "0.1.0");
    equal(run.params.project_code_hash, (await projectCodeHash(gitCode(root, "HEAD"))).hash);
  });

  await t.step(
    "the run leaves no bytecode in src/: exactly the committed files are there",
    async () => {
      const onDisk: string[] = [];
      const walk = async (dir: string) => {
        for await (const entry of Deno.readDir(join(root, dir))) {
          if (entry.isDirectory) await walk(`${dir}/${entry.name}`);
          else onDisk.push(`${dir}/${entry.name}`);
        }
      };
      await walk("src");
      const tracked = (await project.git(["ls-files", "src"])).stdout.trim().split("\n");
      deepEqual(onDisk.sort(), tracked.sort());
    },
  );

  await t.step("every config field by YAML path, reasoning and Tier 2", () => {
    equal(run.params.model_type, "xgboost");
    equal(run.params.random_seed, "42");
    equal(run.params["evaluation.metric"], "roc_auc");
    equal(run.params["protected.split_strategy"], "stratified_kfold");
    equal(run.params["protected.target_column"], "default");
    ok("hyperparameters.max_depth" in run.params, Object.keys(run.params).join(", "));
    ok("reasoning.hypothesis_category" in run.params);
    ok("reasoning.change_description" in run.params);
    equal(run.params["dataset.rows"], "4000");
    ok(Number(run.params["dataset.columns"]) >= 15);
    match(run.params["system.python_version"], /^3\.11\./);
    ok("system.cpu_count" in run.params);
  });

  await t.step("metrics: the protected metric, the other allowed metrics, time and latency", () => {
    for (const metric of ["roc_auc", "f1", "precision", "recall", "log_loss"]) {
      ok(metric in run.metrics, `missing metric ${metric}`);
    }
    ok(run.metrics.roc_auc > 0.6 && run.metrics.roc_auc <= 1, `roc_auc ${run.metrics.roc_auc}`);
    ok(run.metrics.training_time_s > 0);
    ok(run.metrics.inference_latency_ms > 0);
    equal(run.tags.primary_metric, "roc_auc");
  });

  await t.step("artifacts: model, plots, plan", () => {
    for (
      const artifact of [
        "model/MLmodel",
        "plots/roc_curve.png",
        "plots/feature_importance.png",
        "mlp/plan.json",
      ]
    ) {
      ok(run.artifacts.includes(artifact), `missing ${artifact} in ${run.artifacts.join(", ")}`);
    }
  });

  await t.step("the logged model loads with mlflow.pyfunc and scores raw rows", async () => {
    // Rows of the dataset as they are: the model applies the run's features itself
    // (tests/e2e/raw_model_test.ts checks the values).
    const result = await project.python<{ n: number; between: boolean }>(`
import glob, json, mlflow, numpy, pandas as pd
mlflow.set_tracking_uri("sqlite:///${root}/mlflow.db")
model = mlflow.pyfunc.load_model("runs:/${runId}/model")
df = pd.read_parquet(glob.glob("${root}/data/shadow/${project.datasetHash}/*.parquet")[0]).head(50)
pred = numpy.asarray(model.predict(df.drop(columns=["default"])))
assert pred.shape == (50,), pred.shape
print(json.dumps({"n": len(pred), "between": bool(((pred >= 0) & (pred <= 1)).all())}))
`);
    deepEqual(result, { n: 50, between: true });
  });

  await t.step("mlp query history answers from the project's own store", async () => {
    const history = await project.mlp(["query", "history", "--format", "json"]);
    equal(history.code, 0, history.stderr);
    const answer = JSON.parse(history.stdout);
    equal(answer.counted, 1);
    equal(answer.rows.length, 1);
    equal(answer.rows[0].run, runId);
    equal(answer.rows[0].experiment, "acme_bank/credit_risk");
    equal(answer.rows[0].value, run.metrics.roc_auc);
    equal(answer.rows[0].new_best, true);
    equal(history.stderr, "mlp query: 1 run counted\n");
  });

  await t.step("the run ID is attached to the clean commit as a git note", async () => {
    const note = await project.git(["notes", "--ref=mlflow", "show", "HEAD"]);
    match(note.stdout, new RegExp(`MLflow-Run: ${runId}`));
  });

  await t.step(
    "an uncommitted edit gives git_dirty=true, a new feature hash and no note",
    async () => {
      await project.edit("src/features.py", /$/, "\n# an uncommitted change\n");
      const dirty = await project.mlp(["run"]);
      equal(dirty.code, 0, dirty.stderr);
      const dirtyRun = await project.readRun(lastLine(dirty.stdout));
      equal(dirtyRun.params.git_dirty, "true");
      equal(dirtyRun.params.git_commit, await headCommit(project));
      ok(dirtyRun.params.feature_pipeline_hash !== run.params.feature_pipeline_hash);
      match(dirty.stderr, /dirty, so this run cannot prove a merge/);
      const notes = await project.git(["notes", "--ref=mlflow", "show", "HEAD"]);
      ok(!notes.stdout.includes(lastLine(dirty.stdout)));
      await project.git(["checkout", "--", "src/features.py"]);
    },
  );

  await t.step(
    "a change git was told to overlook (assume-unchanged, an excluded module) gives git_dirty=true",
    async () => {
      await project.git(["update-index", "--assume-unchanged", "src/model.py"]);
      await project.edit("src/model.py", /$/, "\n# a change git status does not show\n");
      equal((await project.git(["status", "--porcelain"])).stdout, "");
      const flagged = await project.mlp(["run"]);
      equal(flagged.code, 0, flagged.stderr);
      const flaggedRun = await project.readRun(lastLine(flagged.stdout));
      equal(flaggedRun.params.git_dirty, "true");
      equal(flaggedRun.params.feature_pipeline_hash, run.params.feature_pipeline_hash);
      ok(flaggedRun.params.project_code_hash !== run.params.project_code_hash);
      match(flagged.stderr, /mlp: dirty: "src\/model\.py" is marked assume-unchanged/);
      await project.git(["update-index", "--no-assume-unchanged", "src/model.py"]);
      await project.git(["checkout", "--", "src/model.py"]);

      await Deno.writeTextFile(join(root, ".git/info/exclude"), "src/helpers.py\n");
      await Deno.writeTextFile(join(root, "src/helpers.py"), "SCALE = 2\n");
      equal((await project.git(["status", "--porcelain"])).stdout, "");
      const excluded = await project.mlp(["run"]);
      equal(excluded.code, 0, excluded.stderr);
      equal((await project.readRun(lastLine(excluded.stdout))).params.git_dirty, "true");
      match(excluded.stderr, /mlp: dirty: "src\/helpers\.py" is not tracked by git/);
      await Deno.remove(join(root, "src/helpers.py"));
      await Deno.writeTextFile(join(root, ".git/info/exclude"), "");
    },
  );

  await t.step("MLFLOW_TRACKING_URI overrides the default store", async () => {
    const other = join(root, "other.db");
    const out = await project.mlp(["run"], { env: { MLFLOW_TRACKING_URI: `sqlite:///${other}` } });
    equal(out.code, 0, out.stderr);
    const found = await project.python<{ status: string }>(`
import json, mlflow
from mlflow.tracking import MlflowClient
mlflow.set_tracking_uri("sqlite:///${other}")
print(json.dumps({"status": MlflowClient().get_run("${lastLine(out.stdout)}").info.status}))
`);
    equal(found.status, "FINISHED");
    await Deno.remove(other);
  });

  await t.step(
    "an unreachable tracking server: refused, nothing recorded, no project code run",
    async () => {
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = (listener.addr as Deno.NetAddr).port;
      listener.close();
      const out = await project.mlp(["run"], {
        env: { MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}` },
      });
      equal(out.code, 1, out.stderr);
      equal(out.stdout, "");
      match(
        out.stderr,
        new RegExp(`error: The MLflow server "http://127.0.0.1:${port}" is not reachable`),
      );
      match(out.stderr, /nothing was recorded and no project code ran/);
      ok(!out.stderr.includes("Traceback"), out.stderr);
    },
  );

  await t.step("--json prints a machine-readable summary", async () => {
    const out = await project.mlp(["run", "--json"]);
    equal(out.code, 0, out.stderr);
    const summary = JSON.parse(lastLine(out.stdout));
    match(summary.runId, RUN_ID);
    equal(summary.status, "FINISHED");
    ok(summary.metrics.roc_auc > 0.5);
  });

  await t.step("without uv on PATH: refused with how to fix it, nothing recorded", async () => {
    const runDirs = async () =>
      (await Array.fromAsync(Deno.readDir(join(root, ".mlp/runs")))).map((e) => e.name).sort();
    const runsBefore = await runDirs();
    const denoBin = join(MLP_ROOT, ".tools/deno/node_modules/.bin");
    const out = await project.mlp(["run"], { env: { PATH: `${denoBin}:/usr/bin:/bin` } });
    equal(out.code, 1, out.stderr);
    equal(out.stdout, "");
    ok(
      out.stderr.endsWith(
        "error: Cannot start the run: `uv` is not on PATH\n" +
          "hint: install uv (https://docs.astral.sh/uv/) and run `uv sync` in the project; " +
          "nothing was recorded\n",
      ),
      out.stderr,
    );
    deepEqual(await runDirs(), runsBefore);
  });

  await t.step("the generated project's own pytest passes", async () => {
    const out = await exec("uv", ["run", "--quiet", "--locked", "pytest", "-q", "tests/"], root);
    equal(out.code, 0, out.stdout + out.stderr);
    match(out.stdout, /passed/);
  });
});

Deno.test("mlp run: a trainer that raises ends FAILED with the traceback as an artifact", async () => {
  const project = await createProject({ rows: 2000 });
  await project.edit(
    "src/features.py",
    /$/,
    '\n\n_build = build_features\n\ndef build_features(df, params):\n    raise ValueError("feature bug for the test")\n',
  );
  const out = await project.mlp(["run"]);
  equal(out.code, 1, out.stderr);
  const runId = lastLine(out.stdout);
  match(runId, RUN_ID);
  match(out.stderr, new RegExp(`error: Run ${runId} FAILED: .*feature bug for the test`));
  const run = await project.readRun(runId);
  equal(run.status, "FAILED");
  ok(run.artifacts.includes("error/traceback.txt"), run.artifacts.join(", "));
});

Deno.test("mlp run: SIGINT ends the run KILLED and exits 130", async () => {
  const project = await createProject({ rows: 2000 });
  // The trainer's output reaches mlp's stderr, so this line proves project code is running.
  await project.edit(
    "src/features.py",
    /$/,
    "\n\nimport sys as _sys, time as _time\n_build = build_features\n\ndef build_features(df, params):\n    print('test: features started', file=_sys.stderr, flush=True)\n    _time.sleep(600)\n    return _build(df, params)\n",
  );
  const process = new Deno.Command(join(MLP_ROOT, "bin/mlp"), {
    args: ["run"],
    cwd: project.root,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const stdout = new Response(process.stdout).text();
  // Wait on the run's own progress lines rather than a deadline: under a loaded CI machine the
  // time to start a run varies by minutes, the order of these lines does not.
  const stderrLines: string[] = [];
  let runId = "";
  const lines = process.stderr.pipeThrough(new TextDecoderStream()).pipeThrough(
    new TextLineStream(),
  );
  const reader = lines.getReader();
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    stderrLines.push(value);
    runId = value.match(/^mlp: MLflow run ([0-9a-f]{32}) started/)?.[1] ?? runId;
    if (runId && value === "test: features started") break;
  }
  ok(runId, `the run never started:\n${stderrLines.join("\n")}`);
  process.kill("SIGINT");
  const rest = (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) stderrLines.push(r.value);
  })();
  const [status] = await Promise.all([process.status, rest]);
  equal(status.code, 130, stderrLines.join("\n"));
  equal(lastLine(await stdout), runId);
  ok(
    stderrLines.includes(`mlp: run ${runId} was interrupted by SIGINT and is recorded KILLED`),
    stderrLines.join("\n"),
  );
  const run = await project.readRun(runId);
  equal(run.status, "KILLED");
});

/**
 * The plan's Core checkpoint behaviours (issue 3), by real git, real hooks and real runs:
 * protected fields, the feature hash in MLflow, the sandbox, the training guard and the merge gate.
 */
import { equal, match, notEqual, ok } from "node:assert/strict";
import { join } from "node:path";
import { createProject, type TestProject } from "../support/project.ts";
import { exists } from "../../src/project/exists.ts";

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

/** Makes `build_features` run `statement` first, inside the sandboxed trainer. */
async function injectIntoFeatures(project: TestProject, statement: string): Promise<void> {
  await project.edit(
    "src/features.py",
    /$/,
    `\n\n_mlp_test_build = build_features\n\ndef build_features(df, params):\n    ${statement}\n    return _mlp_test_build(df, params)\n`,
  );
}

async function expectFailedRun(project: TestProject, pattern: RegExp): Promise<void> {
  const out = await project.mlp(["run"]);
  equal(out.code, 1, out.stderr);
  const run = await project.readRun(lastLine(out.stdout));
  equal(run.status, "FAILED");
  match(out.stderr, pattern);
  await project.git(["checkout", "--", "src/features.py"]);
}

Deno.test("checkpoint 1: a changed protected field is refused by mlp run and by git commit", async (t) => {
  const project = await createProject({ rows: 2000 });
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

  await t.step("mlp run refuses and lists the mismatch; nothing is recorded", async () => {
    const out = await project.mlp(["run"]);
    equal(out.code, 1, out.stderr);
    match(out.stderr, /Protected fields in "configs\/experiment.yaml" differ/);
    match(
      out.stderr,
      /protected.split_strategy: standards at HEAD say "stratified_kfold", config has "temporal_split"/,
    );
    match(out.stderr, /--override-protected --reason/);
    equal(out.stdout, "");
    ok(!(await exists(join(project.root, "mlflow.db"))), "a refused run created the store");
  });

  await t.step("--override-protected without --reason is invalid input", async () => {
    const out = await project.mlp(["run", "--override-protected"]);
    equal(out.code, 2);
    match(out.stderr, /--override-protected requires --reason/);
  });

  await t.step("the pre-commit hook blocks the commit, naming file and line", async () => {
    await project.git(["add", "configs/experiment.yaml"]);
    const out = await project.git(["commit", "-m", "change split"], { allowFailure: true });
    notEqual(out.code, 0);
    match(out.stderr, /configs\/experiment\.yaml:\d+/);
    match(out.stderr, /split_strategy/);
  });

  await t.step("an audited override runs and appends a chained entry per field", async () => {
    const out = await project.mlp([
      "run",
      "--override-protected",
      "--reason",
      "approved by the model validator: temporal check",
    ]);
    equal(out.code, 0, out.stderr);
    const runId = lastLine(out.stdout);
    const log = await Deno.readTextFile(join(project.root, "logs/protected_overrides.log"));
    const entries = log.trim().split("\n").map((line) => JSON.parse(line));
    ok(entries.length >= 1);
    const entry = entries.find((e) => e.field === "protected.split_strategy");
    ok(entry, log);
    equal(entry.old, "stratified_kfold");
    equal(entry.new, "temporal_split");
    equal(entry.operator, "operator@bank.test");
    equal(entry.reason, "approved by the model validator: temporal check");
    equal(entry.run_id, runId);
    equal(entry.config, "configs/experiment.yaml");
    const verify = await project.mlp(["log", "verify"]);
    equal(verify.code, 0, verify.stderr);
  });
});

Deno.test("checkpoint 2: changed feature code changes the hash seen in MLflow", async () => {
  const project = await createProject({ rows: 2000 });
  const first = await project.mlp(["run"]);
  equal(first.code, 0, first.stderr);
  await project.edit("src/features.py", /$/, "\n\nFEATURE_VERSION = 2\n");
  await project.git(["commit", "--quiet", "-am", "features: version 2"]);
  const second = await project.mlp(["run"]);
  equal(second.code, 0, second.stderr);
  const a = await project.readRun(lastLine(first.stdout));
  const b = await project.readRun(lastLine(second.stdout));
  notEqual(a.params.feature_pipeline_hash, b.params.feature_pipeline_hash);
  equal(a.params.dataset_hash, b.params.dataset_hash);
});

Deno.test("mlp run --unsandboxed needs a reason, records sandbox=none and audits it", async () => {
  const project = await createProject({ rows: 1500 });
  const refused = await project.mlp(["run", "--unsandboxed"]);
  equal(refused.code, 2);
  match(refused.stderr, /--unsandboxed requires --reason/);
  const out = await project.mlp(["run", "--unsandboxed", "--reason", "laptop without Landlock"]);
  equal(out.code, 0, out.stderr);
  const runId = lastLine(out.stdout);
  const run = await project.readRun(runId);
  equal(run.status, "FINISHED");
  equal(run.tags.sandbox, "none");
  const log = await Deno.readTextFile(join(project.root, "logs/protected_overrides.log"));
  const [entry, ...rest] = log.trim().split("\n").map((line) => JSON.parse(line));
  equal(rest.length, 0);
  equal(entry.kind, "unsandboxed");
  equal(entry.field, "sandbox");
  equal(entry.old, "landlock");
  equal(entry.new, "none");
  equal(entry.reason, "laptop without Landlock");
  equal(entry.run_id, runId);
  equal(entry.prev, "0".repeat(64));
  // The entry is anchored in the store: its hash, in an artifact the run's seal covers
  // (mlp log verify checks the hash and the seal).
  ok(run.artifacts.includes("mlp/override_entries.txt"), run.artifacts.join(", "));
  const verify = await project.mlp(["log", "verify"]);
  equal(verify.code, 0, verify.stderr);
  match(
    verify.stdout,
    /^logs\/protected_overrides\.log: 1 entry, hash chain intact, anchored in the MLflow store /,
  );
  const verified = await project.mlp(["verify-run", "--run", runId]);
  equal(verified.code, 0, verified.stderr);
});

Deno.test("checkpoint 3 and the sandbox: project code cannot reach beyond its dataset", async (t) => {
  const project = await createProject({ rows: 1500 });
  const root = project.root;
  await Deno.mkdir(join(root, "data/production"), { recursive: true });
  await Deno.writeTextFile(join(root, "data/production/customers.csv"), "id,income\n1,100\n");
  const first = await project.mlp(["run"]);
  equal(first.code, 0, first.stderr);

  await t.step("reading data/production fails", async () => {
    await injectIntoFeatures(project, `open("${root}/data/production/customers.csv").read()`);
    await expectFailedRun(project, /PermissionError/);
  });

  await t.step("reading another dataset fails", async () => {
    const other = join(root, "..", "other.csv");
    await Deno.writeTextFile(other, "a,b\n1,2\n");
    const added = await project.mlp(["data", "add", other]);
    equal(added.code, 0, added.stderr);
    const otherHash = lastLine(added.stdout);
    await injectIntoFeatures(
      project,
      `open("${root}/data/shadow/${otherHash}/MANIFEST.sha256").read()`,
    );
    await expectFailedRun(project, /PermissionError/);
  });

  await t.step("writing mlflow.db fails", async () => {
    await injectIntoFeatures(project, `open("${root}/mlflow.db", "ab").write(b"x")`);
    await expectFailedRun(project, /PermissionError/);
  });

  await t.step("writing the override log fails", async () => {
    await injectIntoFeatures(
      project,
      `open("${root}/logs/protected_overrides.log", "a").write("x")`,
    );
    await expectFailedRun(project, /PermissionError/);
  });

  await t.step("a TCP connection to 127.0.0.1 fails", async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    let accepted = false;
    (async () => {
      for await (const conn of listener) {
        accepted = true;
        conn.close();
      }
    })();
    const port = (listener.addr as Deno.NetAddr).port;
    await injectIntoFeatures(
      project,
      `__import__("socket").create_connection(("127.0.0.1", ${port}), timeout=5)`,
    );
    await expectFailedRun(project, /(PermissionError|OSError|Network is unreachable)/);
    listener.close();
    equal(accepted, false);
  });

  await t.step("an environment secret of the caller is not visible", async () => {
    await injectIntoFeatures(project, `__import__("os").environ["AWS_SECRET_ACCESS_KEY"]`);
    const out = await project.mlp(["run"], { env: { AWS_SECRET_ACCESS_KEY: "s3cr3t-value" } });
    equal(out.code, 1, out.stderr);
    match(out.stderr, /KeyError: 'AWS_SECRET_ACCESS_KEY'/);
    ok(!out.stderr.includes("s3cr3t-value"));
    equal((await project.readRun(lastLine(out.stdout))).status, "FAILED");
    await project.git(["checkout", "--", "src/features.py"]);
  });

  await t.step("the data and the store are unchanged by the attempts", async () => {
    equal(
      await Deno.readTextFile(join(root, "data/production/customers.csv")),
      "id,income\n1,100\n",
    );
    const verify = await project.mlp(["data", "verify", project.datasetHash]);
    equal(verify.code, 0, verify.stderr);
    const log = await project.mlp(["log", "verify"]);
    equal(log.code, 0, log.stderr);
  });
});

Deno.test("checkpoint 4: committing .fit() in src/ is blocked by the real git commit", async () => {
  const project = await createProject({ rows: 1000 });
  await Deno.writeTextFile(
    join(project.root, "src/shortcut.py"),
    '"""Train quickly: model.fit(X, y) in a docstring is fine."""\n# clf.fit(X, y) in a comment is fine\n\n\ndef train(model, x, y):\n    return model.fit(x, y)\n',
  );
  await project.git(["add", "src/shortcut.py"]);
  const out = await project.git(["commit", "-m", "add a shortcut"], { allowFailure: true });
  notEqual(out.code, 0);
  match(out.stderr, /src\/shortcut\.py:6/);
  match(out.stderr, /\.fit\(/);
  const log = await project.git(["log", "--oneline"]);
  equal(log.stdout.trim().split("\n").length, 1);
});

Deno.test("checkpoint 5: a merge whose run does not match is blocked by the real git merge", async (t) => {
  const project = await createProject({ rows: 1500 });
  await project.git(["checkout", "--quiet", "-b", "agent/deeper"]);
  await project.edit("configs/experiment.yaml", /max_depth: \d+/, "max_depth: 5");
  await project.git(["commit", "--quiet", "-am", "deeper trees"]);
  const run = await project.mlp(["run"]);
  equal(run.code, 0, run.stderr);
  const runId = lastLine(run.stdout);
  await project.edit("configs/experiment.yaml", /max_depth: 5/, "max_depth: 6");
  await project.git(["commit", "--quiet", "-am", "even deeper, not run"]);
  await project.git(["checkout", "--quiet", "main"]);

  await t.step("no run named and no note on the branch tip: blocked", async () => {
    const out = await project.git(
      ["merge", "--no-ff", "agent/deeper", "-m", "Merge agent/deeper"],
      {
        allowFailure: true,
      },
    );
    notEqual(out.code, 0);
    match(out.stderr, /MLflow-Run/);
    await project.git(["merge", "--abort"], { allowFailure: true });
  });

  await t.step("a run made at an older commit: blocked, naming the mismatch", async () => {
    const out = await project.git(
      ["merge", "--no-ff", "agent/deeper", "-m", `Merge agent/deeper\n\nMLflow-Run: ${runId}`],
      { allowFailure: true },
    );
    notEqual(out.code, 0);
    match(out.stderr, /git_commit/);
    await project.git(["merge", "--abort"], { allowFailure: true });
    const head = await project.git(["log", "--oneline", "-1"]);
    match(head.stdout, /Initial project/);
  });

  await t.step("a run at the branch tip on a clean tree: the merge goes through", async () => {
    await project.git(["checkout", "--quiet", "agent/deeper"]);
    const proof = await project.mlp(["run"]);
    equal(proof.code, 0, proof.stderr);
    const proofId = lastLine(proof.stdout);
    await project.git(["checkout", "--quiet", "main"]);
    const out = await project.git(
      ["merge", "--no-ff", "agent/deeper", "-m", `Merge agent/deeper\n\nMLflow-Run: ${proofId}`],
      { allowFailure: true },
    );
    equal(out.code, 0, out.stderr);
    const verify = await project.mlp(["verify-run", "--commit", "agent/deeper", "--run", proofId]);
    equal(verify.code, 0, verify.stderr);
  });
});

/** Sets the protected metric (and the evaluation metric that must equal it) of the config. */
async function setMetric(project: TestProject, from: string, to: string): Promise<void> {
  await project.edit("configs/experiment.yaml", `metric: ${from}`, `metric: ${to}`);
  await project.edit(
    "configs/experiment.yaml",
    `metric_definition: ${from}`,
    `metric_definition: ${to}`,
  );
}

Deno.test("protected values are read from the standards at HEAD, and an approval covers one change at one commit", async (t) => {
  const project = await createProject({ rows: 1500 });
  const head = async () => (await project.git(["rev-parse", "HEAD"])).stdout.trim();

  await t.step("editing the standards and the config together is refused by mlp run", async () => {
    await project.edit(
      "configs/project_standards.yaml",
      "metric_definition: roc_auc",
      "metric_definition: recall",
    );
    await setMetric(project, "roc_auc", "recall");
    const out = await project.mlp(["run"]);
    equal(out.code, 1, out.stderr);
    equal(out.stdout, "");
    match(
      out.stderr,
      /error: Protected fields in "configs\/experiment.yaml" differ from configs\/project_standards.yaml at HEAD\n/,
    );
    match(
      out.stderr,
      / {2}- protected.metric_definition: standards at HEAD say "roc_auc", config has "recall" \(the uncommitted configs\/project_standards.yaml says "recall": only the committed standards count\)\n/,
    );
    match(out.stderr, /--override-protected --reason "<why>"/);
    match(
      out.stderr,
      /a new reference value is committed to configs\/project_standards.yaml with that log entry, through review/,
    );
    ok(!(await exists(join(project.root, "mlflow.db"))), "a refused run created the store");
    const validated = await project.mlp(["validate"]);
    equal(validated.code, 1, validated.stderr);
    match(
      validated.stderr,
      /configs\/experiment.yaml:\d+: protected field "protected.metric_definition" is "recall", but configs\/project_standards.yaml at HEAD requires "roc_auc"/,
    );
    await project.git(["checkout", "--", "configs/project_standards.yaml"]);
  });

  const a = await head();
  await t.step("commit A: the approved override of recall, run at A's parent", async () => {
    const out = await project.mlp([
      "run",
      "--override-protected",
      "--reason",
      "approved by J. Doe",
    ]);
    equal(out.code, 0, out.stderr);
    const [entry] = (await Deno.readTextFile(join(project.root, "logs/protected_overrides.log")))
      .trim().split("\n").map((line) => JSON.parse(line));
    equal(entry.field, "protected.metric_definition");
    equal(entry.old, "roc_auc");
    equal(entry.new, "recall");
    equal(entry.commit, a);
    await project.git(["add", "configs/experiment.yaml", "logs/protected_overrides.log"]);
    const commit = await project.git(["commit", "-q", "-m", "A: recall, approved"], {
      allowFailure: true,
    });
    equal(commit.code, 0, commit.stderr);
  });

  await t.step("commit B reverts to roc_auc; commit C sets recall again: refused", async () => {
    await setMetric(project, "recall", "roc_auc");
    await project.git(["commit", "-q", "-am", "B: back to roc_auc"]);
    await setMetric(project, "roc_auc", "recall");
    const validated = await project.mlp(["validate"]);
    equal(validated.code, 1, validated.stderr);
    await project.git(["add", "configs/experiment.yaml"]);
    const commit = await project.git(["commit", "-q", "-m", "C: recall again"], {
      allowFailure: true,
    });
    equal(commit.code, 1, commit.stderr);
    match(
      commit.stderr,
      /configs\/experiment.yaml:\d+: protected field "protected.metric_definition" is "recall", but configs\/project_standards.yaml at HEAD requires "roc_auc"\n/,
    );
    match(
      commit.stderr,
      /an entry approves one change, in the commit made on top of the commit it ran at/,
    );
    equal((await project.git(["log", "-1", "--format=%s"])).stdout.trim(), "B: back to roc_auc");
  });
});

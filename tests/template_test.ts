/** The client template: its hook scripts, and what Copier generates from it. */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { MLP_ROOT } from "./support/project.ts";
import { storeDataset, testDataset } from "../src/config/testing.ts";

Deno.test("template/.githooks holds exactly the scripts in hooks/, executable", async () => {
  const names = async (dir: string) =>
    (await Array.fromAsync(Deno.readDir(join(MLP_ROOT, dir)))).map((e) => e.name).sort();
  deepEqual(await names("template/.githooks"), await names("hooks"));
  for (const name of await names("hooks")) {
    const shipped = await Deno.readFile(join(MLP_ROOT, "template/.githooks", name));
    deepEqual(shipped, await Deno.readFile(join(MLP_ROOT, "hooks", name)), name);
    equal((await Deno.stat(join(MLP_ROOT, "template/.githooks", name))).mode! & 0o111, 0o111, name);
  }
});

/** Runs a command; returns its exit code and output. */
async function run(cmd: string, args: string[], cwd: string) {
  const output = await new Deno.Command(cmd, { args, cwd, stdin: "null" }).output();
  const text = new TextDecoder();
  return {
    code: output.code,
    stdout: text.decode(output.stdout),
    stderr: text.decode(output.stderr),
  };
}

Deno.test("copier copy --data generates the client layout non-interactively", async (t) => {
  const parent = await Deno.makeTempDir({ prefix: "mlp-template-" });
  const root = join(parent, "credit_pd");
  const answers = {
    project_name: "credit_pd",
    client_name: "bank_x",
    model_type: "lightgbm",
    metric: "f1",
    split_strategy: "temporal_split",
    positive_class: "bad",
  };
  const copied = await run("copier", [
    "copy",
    "--quiet",
    "--trust",
    "--defaults",
    ...Object.entries(answers).flatMap(([key, value]) => ["--data", `${key}=${value}`]),
    "--vcs-ref",
    "HEAD",
    MLP_ROOT,
    root,
  ], parent);
  equal(copied.code, 0, copied.stderr);
  const read = (path: string) => Deno.readTextFile(join(root, path));

  await t.step("every file of the client layout is there", async () => {
    for (
      const path of [
        "AGENTS.md",
        "CLAUDE.md",
        "README.md",
        "pyproject.toml",
        "uv.lock",
        ".python-version",
        ".gitignore",
        ".copier-answers.yml",
        ".pre-commit-config.yaml",
        ".github/pull_request_template.md",
        ".github/workflows/mlp.yml",
        ".gitlab-ci.yml",
        "scripts/ci/mlp_check.sh",
        ".githooks/pre-commit",
        ".githooks/pre-merge-commit",
        ".githooks/commit-msg",
        "configs/experiment.yaml",
        "configs/reasoning.yaml",
        "configs/project_standards.yaml",
        "configs/experiment.schema.json",
        "configs/reasoning.schema.json",
        "configs/project_standards.schema.json",
        "src/features.py",
        "src/model.py",
        "tests/test_configs.py",
        "skills/new_feature.md",
        "logs/protected_overrides.log",
      ]
    ) {
      ok((await Deno.stat(join(root, path))).isFile, path);
    }
    ok((await Deno.stat(join(root, "data/shadow"))).isDirectory);
  });

  await t.step(
    "CLAUDE.md imports AGENTS.md, which has every rule and the risk checklist",
    async () => {
      equal((await read("CLAUDE.md")).split("\n")[0], "@AGENTS.md");
      const agents = await read("AGENTS.md");
      ok(agents.startsWith("# credit_pd (bank_x)\n"), agents.slice(0, 80));
      for (
        const heading of [
          "Project overview",
          "Entrypoint rule",
          "Config rules",
          "Protected fields",
          "Data rules",
          "File scope",
          "Git rules",
          "Testing",
          "Modeling Risk Checklist (mandatory before every run)",
        ]
      ) {
        ok(agents.includes(`\n## ${heading}\n`), heading);
      }
      for (
        const [i, item] of [
          "Missing data",
          "Data leakage",
          "Temporal validation",
          "Class imbalance",
          "Protected fields",
        ].entries()
      ) {
        ok(agents.includes(`\n${i + 1}. **${item}:**`), item);
      }
    },
  );

  await t.step("the answers reach the configs, and they validate", async () => {
    const experiment = await read("configs/experiment.yaml");
    match(experiment, /^model_type: lightgbm$/m);
    match(experiment, /^ {2}metric_definition: f1$/m);
    match(experiment, /^ {2}split_strategy: temporal_split$/m);
    // A YAML answer: a string class stays a string in both configs.
    match(experiment, /^ {2}positive_class: "bad"$/m);
    match(await read("configs/project_standards.yaml"), /^ {2}positive_class: "bad"$/m);
    // A new project has no dataset yet: the one problem is the placeholder, with what to do.
    const fresh = await run(join(MLP_ROOT, "bin/mlp"), ["validate"], root);
    equal(fresh.code, 2);
    match(fresh.stderr, /^error: configs\/experiment.yaml has 1 problem\n.*"dataset_version": /);
    await storeDataset(root, testDataset(["application_date", "income", "default"]));
    const validated = await run(join(MLP_ROOT, "bin/mlp"), ["validate"], root);
    equal(validated.code, 0, validated.stderr);
  });

  await t.step("pyproject pins MLflow 3 and the model libraries exactly", async () => {
    const pyproject = await read("pyproject.toml");
    for (
      const pin of [
        "mlflow==3.",
        "scikit-learn==",
        "xgboost-cpu==",
        "lightgbm==",
        "pandas==",
        "pyarrow==",
      ]
    ) {
      ok(pyproject.includes(`"${pin}`), pin);
    }
  });

  await t.step("git ignores the MLflow store, production data and mlp's working area", async () => {
    await run("git", ["init", "--quiet"], root);
    const paths = [
      "mlflow.db",
      "mlruns/0/meta.yaml",
      "mlartifacts/1/model.pkl",
      "data/production/loans.csv",
      ".mlp/runs/x/plan.json",
      "data/shadow/.staging-abc/loans.csv",
    ];
    const ignored = await run("git", ["check-ignore", ...paths], root);
    deepEqual(ignored.stdout.trim().split("\n"), paths);
    const kept = await run(
      "git",
      ["check-ignore", "data/shadow/" + "a".repeat(64) + "/x.csv"],
      root,
    );
    equal(kept.code, 1, "datasets are committed");
  });

  await t.step("the pull request template asks for the proving MLflow run", async () => {
    match(await read(".github/pull_request_template.md"), /^MLflow-Run: /m);
  });
  await Deno.remove(parent, { recursive: true });
});

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  DATASET,
  editFile,
  EXPERIMENT,
  misnameColumns,
  overrideEntry,
  storeDataset,
  withProject,
} from "../config/testing.ts";
import { git } from "../hooks/testing.ts";
import { mlp } from "./testing.ts";

Deno.test("mlp validate accepts a valid project (exit 0)", async () => {
  await withProject(async (root) => {
    await storeDataset(root);
    assert.deepEqual(await mlp(root, ["validate"]), {
      code: 0,
      stdout:
        "ok: configs/experiment.yaml, configs/reasoning.yaml and configs/project_standards.yaml are valid\n",
      stderr: "",
    });
  });
});

Deno.test("mlp validate lists every problem with file, line and field (exit 2)", async () => {
  await withProject(async (root) => {
    await editFile(root, "configs/experiment.yaml", "model_type: xgboost", "model_type: xgb");
    await editFile(root, "configs/experiment.yaml", "  max_depth: 6", "  max_depth: 60");
    assert.deepEqual(await mlp(root, ["validate"]), {
      code: 2,
      stdout: "",
      stderr: [
        "error: configs/experiment.yaml has 1 problem",
        '  - configs/experiment.yaml:6:13: field "model_type": "xgb" is not allowed: use one of "xgboost", "lightgbm", "logistic_regression", "random_forest" (did you mean "xgboost"?)',
        "hint: allowed values come from configs/project_standards.yaml; configs/experiment.schema.json describes every field",
        "",
      ].join("\n"),
    });
    await editFile(root, "configs/experiment.yaml", "model_type: xgb", "model_type: xgboost");
    const outcome = await mlp(root, ["validate"]);
    assert.equal(outcome.code, 2);
    assert.equal(
      outcome.stderr.split("\n")[1],
      '  - configs/experiment.yaml:9:14: field "hyperparameters.max_depth": 60 is above the maximum 16',
    );
  });
});

Deno.test("mlp validate names a duplicate key by file and line (exit 2)", async () => {
  await withProject(async (root) => {
    await editFile(
      root,
      "configs/experiment.yaml",
      "random_seed: 42\n",
      "random_seed: 42\nrandom_seed: 7\n",
    );
    assert.deepEqual(await mlp(root, ["validate"]), {
      code: 2,
      stdout: "",
      stderr: [
        'error: configs/experiment.yaml:8:1: Duplicate key "random_seed": a key may appear only once in a mapping',
        "hint: remove or merge the repeated entries",
        "",
      ].join("\n"),
    });
  });
});

Deno.test("mlp validate requires expected_effect when an agent runs it", async () => {
  await withProject(async (root) => {
    await storeDataset(root);
    await editFile(root, "configs/reasoning.yaml", "expected_effect: reduce_variance\n", "");
    assert.equal((await mlp(root, ["validate"])).code, 0);
    const outcome = await mlp(root, ["validate"], { CLAUDECODE: "1" });
    assert.equal(outcome.code, 2);
    assert.deepEqual(outcome.stderr.split("\n").slice(0, 2), [
      "error: configs/reasoning.yaml has 1 problem",
      '  - configs/reasoning.yaml:1:1: field "expected_effect" is missing: an agent runs this experiment, so say what the change should do: use one of "improve", "reduce_variance", "explore"',
    ]);
  });
});

Deno.test("mlp validate takes --config relative to the current directory", async () => {
  await withProject(async (root) => {
    await storeDataset(root);
    await Deno.copyFile(
      join(root, "configs/experiment.yaml"),
      join(root, "configs/experiment_b.yaml"),
    );
    assert.deepEqual(
      await mlp(join(root, "src"), ["validate", "--config", "../configs/experiment_b.yaml"]),
      {
        code: 0,
        stdout:
          "ok: configs/experiment_b.yaml, configs/reasoning.yaml and configs/project_standards.yaml are valid\n",
        stderr: "",
      },
    );
    const missing = await mlp(root, ["validate", "--reasoning", "configs/why.yaml"]);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      'error: Config file "configs/why.yaml" does not exist\n' +
        "hint: write configs/reasoning.yaml with hypothesis_category, change_description and expected_effect, or name another with --reasoning PATH\n",
    );
  });
});

const PROTECTED_HINT = "hint: restore the values from configs/project_standards.yaml; a " +
  'human-approved change runs with `mlp run --override-protected --reason "<why>"`, which ' +
  "records it in logs/protected_overrides.log: commit the log with the config\n";

const HEAD_HINT = "hint: restore the values from configs/project_standards.yaml at HEAD; a " +
  'human-approved change runs with `mlp run --override-protected --reason "<why>"`, which ' +
  "records it in logs/protected_overrides.log: commit the log with the config; a new reference " +
  "value is committed to configs/project_standards.yaml with that log entry, through review\n";

/** Runs `fn` in a project with a dataset whose config moved target_column to "label". */
function withLabelTarget(fn: (root: string) => Promise<void>): Promise<void> {
  return withProject(async (root) => {
    await storeDataset(root);
    await editFile(
      root,
      "configs/experiment.yaml",
      "target_column: default",
      "target_column: label",
    );
    await fn(root);
  });
}

Deno.test("mlp validate refuses a changed protected field as mlp run and the hook do (exit 1)", async () => {
  await withLabelTarget(async (root) => {
    assert.deepEqual(await mlp(root, ["validate"]), {
      code: 1,
      stdout: "",
      stderr: 'error: Protected fields in "configs/experiment.yaml" differ from ' +
        "configs/project_standards.yaml\n" +
        '  - configs/experiment.yaml:20: protected field "protected.target_column" is "label", ' +
        'but configs/project_standards.yaml requires "default"\n' +
        PROTECTED_HINT,
    });
  });
});

/** Makes the project at `root` a git repository with one commit of everything; returns its SHA. */
async function commitProject(root: string): Promise<string> {
  await git(root, ["init", "-q", "-b", "main"]);
  await git(root, ["add", "-A"]);
  await git(root, ["commit", "-q", "--no-verify", "-m", "Initial commit"]);
  return (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
}

Deno.test("mlp validate accepts a protected change the override log approves, as the hook does, and says so", async () => {
  await withProject(async (root) => {
    await storeDataset(root);
    await Deno.mkdir(join(root, "logs"));
    const log = join(root, "logs/protected_overrides.log");
    await Deno.writeTextFile(log, "");
    const head = await commitProject(root);
    await editFile(
      root,
      "configs/experiment.yaml",
      "target_column: default",
      "target_column: label",
    );
    // An override of another value, or of this value at another commit, approves nothing.
    await Deno.writeTextFile(
      log,
      `${overrideEntry("protected.target_column", "target", "default", head)}\n`,
    );
    assert.equal((await mlp(root, ["validate"])).code, 1);
    await Deno.writeTextFile(log, `${overrideEntry("protected.target_column", "label")}\n`);
    assert.equal((await mlp(root, ["validate"])).code, 1);
    await Deno.writeTextFile(
      log,
      `${overrideEntry("protected.target_column", "label", "default", head)}\n`,
    );
    assert.deepEqual(await mlp(root, ["validate"]), {
      code: 0,
      stdout:
        "ok: configs/experiment.yaml, configs/reasoning.yaml and configs/project_standards.yaml are valid\n",
      stderr: 'note: configs/experiment.yaml:20: protected field "protected.target_column" is ' +
        '"label", but configs/project_standards.yaml at HEAD requires "default": approved by ' +
        `logs/protected_overrides.log:1 (run ${"b".repeat(32)}), so the pre-commit hook accepts ` +
        "it when the log is committed with the config; `mlp run` runs it only with " +
        '--override-protected --reason "<why>"\n',
    });
  });
});

Deno.test("mlp validate reads the protected values of the standards at HEAD, not the work tree's (exit 1)", async () => {
  await withProject(async (root) => {
    await storeDataset(root);
    await commitProject(root);
    await editFile(
      root,
      "configs/project_standards.yaml",
      "target_column: default",
      "target_column: label",
    );
    await editFile(
      root,
      "configs/experiment.yaml",
      "target_column: default",
      "target_column: label",
    );
    assert.deepEqual(await mlp(root, ["validate"]), {
      code: 1,
      stdout: "",
      stderr: 'error: Protected fields in "configs/experiment.yaml" differ from ' +
        "configs/project_standards.yaml at HEAD\n" +
        '  - configs/experiment.yaml:20: protected field "protected.target_column" is "label", ' +
        'but configs/project_standards.yaml at HEAD requires "default" (the uncommitted ' +
        'configs/project_standards.yaml says "label": only the committed standards count)\n' +
        HEAD_HINT,
    });
  });
});

Deno.test("mlp validate refuses a repository whose HEAD has no standards (exit 1)", async () => {
  await withProject(async (root) => {
    await storeDataset(root);
    await git(root, ["init", "-q", "-b", "main"]);
    await git(root, ["add", "configs/experiment.yaml"]);
    await git(root, ["commit", "-q", "--no-verify", "-m", "Config only"]);
    assert.deepEqual(await mlp(root, ["validate"]), {
      code: 1,
      stdout: "",
      stderr: "error: configs/project_standards.yaml is not in HEAD, so the protected fields " +
        "have no committed reference values\n" +
        "hint: commit configs/project_standards.yaml (`git add configs/project_standards.yaml " +
        "&& git commit`): protected fields are compared with the standards as committed\n",
    });
  });
});

Deno.test("mlp validate refuses a target or date column the dataset lacks (exit 2)", async () => {
  await withProject(async (root) => {
    await storeDataset(root);
    await misnameColumns(root);
    assert.deepEqual(await mlp(root, ["validate"]), {
      code: 2,
      stdout: "",
      stderr: columnsRefusal(),
    });
  });
});

/** What mlp validate prints for the config of the test above. */
function columnsRefusal(): string {
  const schema = `data/shadow/${DATASET.hash}/schema.json`;
  const lists = `${schema} lists "income", "day", "label", "default"`;
  return "error: configs/experiment.yaml has 2 problems\n" +
    '  - configs/experiment.yaml:20:18: field "protected.target_column": "defualt" is not a ' +
    `column of the dataset: ${lists} (did you mean "default"?)\n` +
    '  - configs/experiment.yaml:21:16: field "protected.date_column": "days" is not a column ' +
    `of the dataset: ${lists} (did you mean "day"?)\n` +
    "hint: name a column the dataset has, or set dataset_version to a dataset that has this " +
    "one (`mlp data ls` lists them)\n";
}

Deno.test("mlp validate refuses a config whose dataset is not in data/shadow/ (exit 1)", async () => {
  await withProject(async (root) => {
    const hash = /dataset_version: (\w+)/.exec(await Deno.readTextFile(EXPERIMENT))![1];
    assert.deepEqual(await mlp(root, ["validate"]), {
      code: 1,
      stdout: "",
      stderr: `error: Dataset "${hash}" not found in data/shadow/\n` +
        "hint: data/shadow/ holds no datasets; `mlp data ls` lists the datasets; " +
        "`mlp data add PATH…` adds one\n",
    });
  });
});

Deno.test("mlp validate --help shows an example", async () => {
  const outcome = await mlp(Deno.cwd(), ["validate", "--help"]);
  assert.equal(outcome.code, 0);
  assert.match(outcome.stdout, /\nExample:\n {2}mlp validate\n/);
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { editFile, EXPERIMENT, withProject } from "../config/testing.ts";
import { mlp } from "./testing.ts";

Deno.test("mlp validate accepts a valid project (exit 0)", async () => {
  await withProject(async (root) => {
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
    await Deno.copyFile(EXPERIMENT, join(root, "configs/experiment_b.yaml"));
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

Deno.test("mlp validate --help shows an example", async () => {
  const outcome = await mlp(Deno.cwd(), ["validate", "--help"]);
  assert.equal(outcome.code, 0);
  assert.match(outcome.stdout, /\nExample:\n {2}mlp validate\n/);
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { InputError } from "../errors.ts";
import { loadRunConfigs } from "./load.ts";
import { EXPERIMENT, withProject } from "./testing.ts";

/** Asserts that `promise` rejects with an InputError and returns it. */
async function inputError(promise: Promise<unknown>): Promise<InputError> {
  try {
    await promise;
  } catch (error: unknown) {
    assert.ok(error instanceof InputError, `expected InputError, got ${error}`);
    return error;
  }
  assert.fail("expected an InputError");
}

Deno.test("loadRunConfigs() loads the three configs with project-relative paths", async () => {
  await withProject(async (root) => {
    const loaded = await loadRunConfigs(root, { agent: true });
    assert.deepEqual(loaded.files, {
      standards: "configs/project_standards.yaml",
      experiment: "configs/experiment.yaml",
      reasoning: "configs/reasoning.yaml",
    });
    assert.equal(loaded.experiment.model_type, "xgboost");
    assert.equal(loaded.reasoning.expected_effect, "reduce_variance");
    assert.equal(loaded.standards.protected_fields.metric_definition, "roc_auc");
  });
});

Deno.test("loadRunConfigs() takes other config files, absolute or relative to the root", async () => {
  await withProject(async (root) => {
    await Deno.copyFile(EXPERIMENT, join(root, "configs/experiment_deep.yaml"));
    const loaded = await loadRunConfigs(root, {
      config: join(root, "configs/experiment_deep.yaml"),
      reasoning: "configs/reasoning.yaml",
      agent: false,
    });
    assert.equal(loaded.files.experiment, "configs/experiment_deep.yaml");
  });
});

Deno.test("loadRunConfigs() names a missing file and how to create it", async () => {
  await withProject(async (root) => {
    const error = await inputError(
      loadRunConfigs(root, { config: "configs/nope.yaml", agent: false }),
    );
    assert.equal(error.message, 'Config file "configs/nope.yaml" does not exist');
    assert.equal(
      error.hint,
      "write the experiment config (configs/experiment.schema.json lists its fields), or name another with --config PATH",
    );
  });
});

Deno.test("loadRunConfigs() refuses a config outside the project", async () => {
  await withProject(async (root) => {
    const error = await inputError(loadRunConfigs(root, { config: "/etc/hosts", agent: false }));
    assert.equal(error.message, `Config file "/etc/hosts" is outside the project "${root}"`);
    assert.equal(error.hint, "pass a file inside the project to --config");
  });
});

Deno.test("loadRunConfigs() reports experiment and reasoning problems together", async () => {
  await withProject(async (root) => {
    const experiment = await Deno.readTextFile(EXPERIMENT);
    await Deno.writeTextFile(
      join(root, "configs/experiment.yaml"),
      experiment.replace("model_type: xgboost", "model_type: xgb"),
    );
    await Deno.writeTextFile(
      join(root, "configs/reasoning.yaml"),
      "hypothesis_category: regularization\nchange_description: x\n",
    );
    const error = await inputError(loadRunConfigs(root, { agent: true }));
    assert.equal(
      error.message,
      "configs/experiment.yaml has 1 problem; configs/reasoning.yaml has 1 problem",
    );
    assert.deepEqual(error.details, [
      'configs/experiment.yaml:6:13: field "model_type": "xgb" is not allowed: use one of "xgboost", "lightgbm", "logistic_regression", "random_forest" (did you mean "xgboost"?)',
      'configs/reasoning.yaml:1:1: field "expected_effect" is missing: an agent runs this experiment, so say what the change should do: use one of "improve", "reduce_variance", "explore"',
    ]);
  });
});

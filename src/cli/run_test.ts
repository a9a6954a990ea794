/**
 * What `mlp run` refuses before any Python starts, on a project without git, uv or a dataset: these
 * refusals must not need any of them. The runs themselves are tested end to end in tests/e2e/.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DATASET, editFile, misnameColumns, storeDataset, withProject } from "../config/testing.ts";
import { mlp } from "./testing.ts";

/** Every file of the project, so a test can show a refusal changed nothing. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(join(root, dir))) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory) await walk(path);
      else files[path] = await Deno.readTextFile(join(root, path));
    }
  };
  await walk("");
  return files;
}

Deno.test("mlp run: an escape hatch needs --reason, and --reason needs an escape hatch (exit 2)", async () => {
  await withProject(async (root) => {
    const before = await snapshot(root);
    assert.deepEqual(await mlp(root, ["run", "--unsandboxed"]), {
      code: 2,
      stdout: "",
      stderr: "error: --unsandboxed requires --reason\n" +
        'hint: say why, for the audit log: --unsandboxed --reason "approved by <who>: <why>"\n',
    });
    assert.deepEqual(await mlp(root, ["run", "--override-protected", "--reason", "  "]), {
      code: 2,
      stdout: "",
      stderr: "error: --override-protected requires --reason\n" +
        'hint: say why, for the audit log: --override-protected --reason "approved by <who>: <why>"\n',
    });
    assert.deepEqual(await mlp(root, ["run", "--reason", "because"]), {
      code: 2,
      stdout: "",
      stderr: "error: --reason is only used with --override-protected or --unsandboxed\n" +
        "hint: remove --reason, or add the escape hatch it explains\n",
    });
    assert.deepEqual(await snapshot(root), before);
  });
});

Deno.test("mlp run refuses a protected field change before touching anything (exit 1)", async () => {
  await withProject(async (root) => {
    await editFile(root, "configs/experiment.yaml", "metric: roc_auc", "metric: f1");
    await editFile(
      root,
      "configs/experiment.yaml",
      "metric_definition: roc_auc",
      "metric_definition: f1",
    );
    const before = await snapshot(root);
    assert.deepEqual(await mlp(root, ["run"]), {
      code: 1,
      stdout: "",
      stderr: "mlp: configs/experiment.yaml and configs/reasoning.yaml are valid\n" +
        'error: Protected fields in "configs/experiment.yaml" differ from configs/project_standards.yaml\n' +
        '  - protected.metric_definition: standards say "roc_auc", config has "f1"\n' +
        "hint: restore the values from configs/project_standards.yaml; a human-approved change runs " +
        'with --override-protected --reason "<why>" and is recorded in logs/protected_overrides.log\n',
    });
    assert.deepEqual(await snapshot(root), before);
  });
});

Deno.test("mlp run refuses a target or date column the dataset lacks before hashing it, as mlp validate does (exit 2)", async () => {
  await withProject(async (root) => {
    await storeDataset(root);
    await misnameColumns(root);
    // A changed table would be refused when the dataset is hashed: the columns are checked first.
    const table = join(root, "data/shadow", DATASET.hash, "applications.csv");
    await Deno.writeTextFile(table, "changed\n");
    const before = await snapshot(root);
    const validated = await mlp(root, ["validate"]);
    assert.equal(validated.code, 2);
    assert.match(validated.stderr, /"defualt" is not a column of the dataset/);
    assert.deepEqual(await mlp(root, ["run"]), {
      code: 2,
      stdout: "",
      stderr: "mlp: configs/experiment.yaml and configs/reasoning.yaml are valid\n" +
        validated.stderr,
    });
    assert.deepEqual(await snapshot(root), before);
  });
});

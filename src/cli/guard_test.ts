import assert from "node:assert/strict";
import { join } from "node:path";
import { git, makeProject, mlp, writeFiles } from "../hooks/testing.ts";

const GUARD_HINT =
  "  how to proceed: models are trained and logged only by `mlp run`, which fits " +
  "the estimator that src/model.py builds: remove the call (test code belongs in tests/, " +
  "utility scripts in scripts/)";

Deno.test("mlp guard checks every file of the project a commit could hold, by the hook's rule", async () => {
  const root = await makeProject();
  assert.deepEqual(await mlp(root, ["guard"]), {
    code: 0,
    stdout: "ok: 3 files checked, no training or MLflow calls outside `mlp run`\n",
    stderr: "",
  });
  await writeFiles(root, {
    ".gitignore": "mlflow.db\nmlruns/\n.venv/\n",
    "src/model.py":
      "def build_model(X, y):\n    model = make()\n    model.fit(X, y)\n    return model\n",
    "src/notes.py": '"""Never call model.fit(X, y) here: `mlp run` does."""\nimport mlflow\n',
    "src/pkg/logs.py": "import mlflow as m\n\nm.log_metric('auc', 1)\n",
    "tests/test_fit.py": "def test_fit():\n    est.fit([[0]], [0])\n",
    "scripts/report.py": "import mlflow\nmlflow.log_metric('a', 1)\n",
    ".venv/lib/sklearn.py": "self.fit(X, y)\n",
  });
  // Untracked files count (a commit could add them); ignored ones and deleted ones do not.
  await git(root, ["rm", "-q", "src/helpers.py"]);
  assert.deepEqual(await mlp(root, ["guard"]), {
    code: 1,
    stdout: "",
    stderr: 'src/model.py:3: training call ".fit(" outside `mlp run`: model.fit(X, y)\n' +
      "src/pkg/logs.py:3: MLflow call \"mlflow.log_metric\" outside `mlp run`: m.log_metric('auc', 1)\n" +
      `${GUARD_HINT}\n` +
      "error: Training guard: 2 problems in the 4 files checked (listed above)\n" +
      "hint: fix each one as described; `mlp guard` checks again\n",
  });
  await Deno.remove(root, { recursive: true });
});

Deno.test("mlp guard PATH… checks the named files and folders only, skipping what the hook skips", async () => {
  const root = await makeProject();
  await writeFiles(root, {
    "src/model.py": "model.fit(X, y)\n",
    "src/pkg/clean.py": '"""model.fit(X, y) in a docstring."""\n',
    "tests/test_fit.py": "est.fit([[0]], [0])\n",
    "notebooks/broken.ipynb": "{not json",
  });
  assert.deepEqual(await mlp(join(root, "src"), ["guard", "pkg", "features.py"]), {
    code: 0,
    stdout: "ok: 2 files checked, no training or MLflow calls outside `mlp run`\n",
    stderr: "",
  });
  assert.deepEqual(await mlp(root, ["guard", "tests/test_fit.py", "uv.lock"]), {
    code: 0,
    stdout: "ok: 0 files checked, no training or MLflow calls outside `mlp run`\n",
    stderr: 'mlp: skipped "tests/test_fit.py": tests/ and scripts/ may train\n' +
      'mlp: skipped "uv.lock": the guard reads Python files and notebooks only\n',
  });
  const notebook = await mlp(root, ["guard", "notebooks"]);
  assert.equal(notebook.code, 1);
  assert.match(
    notebook.stderr,
    /^notebooks\/broken\.ipynb: cannot read the notebook, so the training guard cannot check it: /,
  );
  assert.deepEqual(await mlp(root, ["guard", "src/nope.py"]), {
    code: 2,
    stdout: "",
    stderr: 'error: "src/nope.py" does not exist\n' +
      "hint: name files or folders of the project, or run `mlp guard` alone to check all of it\n",
  });
  assert.deepEqual(await mlp(root, ["guard", "/etc/hostname"]), {
    code: 2,
    stdout: "",
    stderr: `error: "/etc/hostname" is outside the project "${root}"\n` +
      "hint: name files or folders of the project, or run `mlp guard` alone to check all of it\n",
  });
  await Deno.remove(root, { recursive: true });
});

Deno.test("mlp guard --help shows an example", async () => {
  const outcome = await mlp(Deno.cwd(), ["guard", "--help"]);
  assert.equal(outcome.code, 0);
  assert.match(outcome.stdout, /\nExample:\n {2}mlp guard\n/);
});

Deno.test("mlp guard reads the work tree as the hook reads the index: symlinks, shebangs, bytecode", async () => {
  const root = await makeProject();
  await writeFiles(root, {
    "scripts/train.py": "def go(model, X, y):\n    model.fit(X, y)\n",
    "src/retrain": "#!/usr/bin/env python3\nmodel.fit(X, y)\n",
    "src/report": "#!/bin/sh\necho 'model.fit(X, y)'\n",
    "src/lib.pyc": "\u0000",
  });
  await Deno.chmod(join(root, "src/retrain"), 0o755);
  await Deno.chmod(join(root, "src/report"), 0o755);
  await Deno.symlink("../scripts/train.py", join(root, "src/shortcut.py"));
  await Deno.symlink("../scripts", join(root, "src/tools"));
  await Deno.symlink("/etc/hostname", join(root, "src/host.py"));
  const all = await mlp(root, ["guard"]);
  assert.equal(all.code, 1);
  assert.equal(
    all.stderr,
    'src/host.py: symlink to "/etc/hostname", outside the project: the training guard cannot ' +
      "check the code it runs\n" +
      "  how to proceed: commit the file itself rather than a link to it: `git rm --cached " +
      "src/host.py`, then copy the file into the project\n" +
      "src/lib.pyc: compiled Python: Python imports it like a module, and the training guard " +
      "cannot read it\n" +
      "  how to proceed: commit the .py source instead: `git rm --cached src/lib.pyc`, and keep " +
      "compiled files out of git (`__pycache__/` and `*.pyc` in .gitignore)\n" +
      'src/retrain:2: training call ".fit(" outside `mlp run`: model.fit(X, y)\n' +
      'src/shortcut.py:2: symlink to "scripts/train.py": training call ".fit(" outside ' +
      "`mlp run`: model.fit(X, y)\n" +
      'src/tools/train.py:2: symlink to "scripts/train.py": training call ".fit(" outside ' +
      "`mlp run`: model.fit(X, y)\n" +
      `${GUARD_HINT}\n` +
      "error: Training guard: 5 problems in the 6 files checked (listed above)\n" +
      "hint: fix each one as described; `mlp guard` checks again\n",
  );
  const named = await mlp(root, ["guard", "src/tools", "src/report", "scripts/train.py"]);
  assert.equal(named.code, 1);
  assert.equal(
    named.stderr.split("\n").slice(0, 3).join("\n"),
    'mlp: skipped "src/report": the guard reads Python files and notebooks only\n' +
      'mlp: skipped "scripts/train.py": tests/ and scripts/ may train\n' +
      'src/tools/train.py:2: symlink to "scripts/train.py": training call ".fit(" outside ' +
      "`mlp run`: model.fit(X, y)",
  );
  await Deno.remove(root, { recursive: true });
});

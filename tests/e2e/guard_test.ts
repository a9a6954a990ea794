/**
 * One training-guard rule: the generated project's own pytest (tests/test_src_guard.py) runs
 * `mlp guard`, so it and the pre-commit hook agree on the same files.
 */
import { equal, match, notEqual } from "node:assert/strict";
import { join } from "node:path";
import { createProject, exec, MLP_ROOT } from "../support/project.ts";

Deno.test("the hook and the project's pytest enforce one training-guard rule", async (t) => {
  const project = await createProject({ rows: 500 });
  const mlpBin = join(MLP_ROOT, "bin/mlp");
  const pytest = (env: Record<string, string>) =>
    exec(
      "uv",
      ["run", "--quiet", "--locked", "pytest", "-q", "tests/test_src_guard.py"],
      project.root,
      env,
    );
  const commit = async (path: string) => {
    await project.git(["add", path]);
    return await project.git(["commit", "-q", "-m", `Add ${path}`], { allowFailure: true });
  };

  await t.step("a docstring that mentions .fit( passes both", async () => {
    await Deno.writeTextFile(
      join(project.root, "src/notes.py"),
      '"""Never call model.fit(X, y) here: `mlp run` fits the model."""\n\n\n' +
        "def double(x):\n    return 2 * x\n",
    );
    const tested = await pytest({ MLP: mlpBin });
    equal(tested.code, 0, tested.stdout + tested.stderr);
    const committed = await commit("src/notes.py");
    equal(committed.code, 0, committed.stderr);
  });

  const finding = 'src/shortcut.py:5: training call ".fit(" outside `mlp run`: model.fit(X, y)';
  await t.step("a real model.fit(X, y) fails both, with the same line", async () => {
    await Deno.writeTextFile(
      join(project.root, "src/shortcut.py"),
      '"""A shortcut."""\n\n\ndef train(model, X, y):\n    model.fit(X, y)\n',
    );
    const tested = await pytest({ MLP: mlpBin });
    equal(tested.code, 1, tested.stdout + tested.stderr);
    match(tested.stdout, new RegExp(finding.replace(/[.*+?^${}()|[\]\\`]/g, "\\$&")));
    const committed = await commit("src/shortcut.py");
    notEqual(committed.code, 0);
    equal(committed.stderr.split("\n")[0], finding);
  });

  await t.step("the pytest fails closed when mlp cannot be found", async () => {
    const tested = await pytest({ MLP: "/nonexistent/mlp" });
    equal(tested.code, 1, tested.stdout + tested.stderr);
    match(
      tested.stdout,
      /mlp cannot be found: "\/nonexistent\/mlp" is not on PATH and is not an executable file/,
    );
  });
  await Deno.remove(join(project.root, ".."), { recursive: true });
});

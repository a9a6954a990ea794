/**
 * The template's .pre-commit-config.yaml, run by the real pre-commit framework: teams that use it
 * get the same checks as `.githooks/`.
 */
import { equal, match, notEqual } from "node:assert/strict";
import { join } from "node:path";
import { exec, MLP_ROOT } from "../support/project.ts";

Deno.test("the template's pre-commit framework hooks run mlp's checks", async (t) => {
  const parent = await Deno.makeTempDir({ prefix: "mlp-precommit-" });
  const root = join(parent, "project");
  const copied = await exec("copier", [
    "copy",
    "--quiet",
    "--trust",
    "--defaults",
    "--data",
    "project_name=framework",
    "--data",
    "client_name=acme",
    "--vcs-ref",
    "HEAD",
    MLP_ROOT,
    root,
  ], parent);
  equal(copied.code, 0, copied.stderr);
  const git = (...args: string[]) => exec("git", args, root);
  await git("init", "--quiet", "--initial-branch=main");
  await git("add", "-A");
  equal((await git("commit", "--quiet", "-m", "template")).code, 0);

  await t.step("clean staged changes pass", async () => {
    await Deno.writeTextFile(join(root, "src/helpers.py"), "def double(x):\n    return 2 * x\n");
    await git("add", "src/helpers.py");
    const out = await exec("pre-commit", ["run", "--hook-stage", "pre-commit"], root);
    equal(out.code, 0, out.stdout + out.stderr);
    match(out.stdout, /mlp governance checks.*Passed/);
  });

  await t.step("a training call in src/ fails the hook with file and line", async () => {
    await Deno.writeTextFile(
      join(root, "src/helpers.py"),
      "def train(model, x, y):\n    return model.fit(x, y)\n",
    );
    await git("add", "src/helpers.py");
    const out = await exec("pre-commit", ["run", "--hook-stage", "pre-commit"], root);
    notEqual(out.code, 0);
    match(out.stdout, /mlp governance checks.*Failed/);
    match(out.stdout + out.stderr, /src\/helpers\.py:2: training call "\.fit\("/);
  });

  await t.step("the commit-msg stage passes an ordinary commit message", async () => {
    const message = join(parent, "MSG");
    await Deno.writeTextFile(message, "An ordinary commit\n");
    const out = await exec(
      "pre-commit",
      ["run", "--hook-stage", "commit-msg", "--commit-msg-filename", message],
      root,
    );
    equal(out.code, 0, out.stdout + out.stderr);
  });
  await Deno.remove(parent, { recursive: true });
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { git, makeProject, mlp } from "./testing.ts";

const MLP_BIN = fileURLToPath(new URL("../../bin/mlp", import.meta.url));

Deno.test("mlp hooks install sets core.hooksPath, mlp.path and merge.ff, and makes the hooks executable", async () => {
  const root = await makeProject();
  await git(root, ["config", "--unset", "core.hooksPath"]);
  await git(root, ["config", "--unset", "merge.ff"]);
  await git(root, ["config", "--unset", "mlp.path"]);
  await Deno.chmod(join(root, ".githooks/pre-commit"), 0o644);
  const result = await mlp(root, ["hooks", "install"]);
  assert.deepEqual(result, {
    code: 0,
    stdout: "made .githooks/pre-commit executable\n" +
      "git config core.hooksPath .githooks  (git runs the hooks in .githooks/)\n" +
      `git config mlp.path ${MLP_BIN}  (the hooks run this mlp, whatever the environment says)\n` +
      "git config merge.ff false  (every merge creates a merge commit, so the merge gate runs)\n",
    stderr: "",
  });
  assert.equal((await git(root, ["config", "core.hooksPath"])).stdout, ".githooks\n");
  assert.equal((await git(root, ["config", "merge.ff"])).stdout, "false\n");
  assert.equal((await git(root, ["config", "--local", "mlp.path"])).stdout, `${MLP_BIN}\n`);
  assert.equal((await Deno.stat(join(root, ".githooks/pre-commit"))).mode! & 0o777, 0o755);

  await Deno.remove(join(root, ".githooks/commit-msg"));
  assert.match(
    (await mlp(root, ["hooks", "install"])).stdout,
    /^no \.githooks\/commit-msg: merges are proven by git notes only/,
  );
  await Deno.remove(join(root, ".githooks/pre-merge-commit"));
  const missing = await mlp(root, ["hooks", "install"]);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /^error: The hook script "\.githooks\/pre-merge-commit" is missing\n/,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("mlp hooks install refuses a hook script that is not the template's, and an extra one", async () => {
  const root = await makeProject();
  const template = fileURLToPath(new URL("../../template/.githooks", import.meta.url));
  await Deno.writeTextFile(join(root, ".githooks/pre-commit"), "#!/bin/sh\nexit 0\n");
  await Deno.writeTextFile(join(root, ".githooks/post-checkout"), "#!/bin/sh\n");
  const refused = await mlp(root, ["hooks", "install"]);
  assert.deepEqual(refused, {
    code: 1,
    stdout: "",
    stderr: "error: .githooks/ holds 2 files that are not mlp's template's hook scripts, so the " +
      "hooks are not installed\n" +
      "  - .githooks/post-checkout: the template has no such hook\n" +
      `  - .githooks/pre-commit: it differs from the template's (${template}/pre-commit)\n` +
      "hint: git runs every script there on its events: restore the template's scripts " +
      `(\`copier update\`, or copy them from mlp: \`cp ${template}/* .githooks/\`), remove any ` +
      "other file (`git rm -f -- .githooks/<name>`), then run `mlp hooks install` again\n",
  });
  await Deno.remove(join(root, ".githooks/post-checkout"));
  await Deno.copyFile(join(template, "pre-commit"), join(root, ".githooks/pre-commit"));
  assert.equal((await mlp(root, ["hooks", "install"])).code, 0);
  await Deno.remove(root, { recursive: true });
});

/** The hook scripts that client projects run refuse the commit when mlp cannot be found. */
import { equal, match, notEqual } from "node:assert/strict";
import { join } from "node:path";
import { exec, MLP_ROOT } from "./support/project.ts";

Deno.test("hooks/pre-commit fails closed: git commit is refused when mlp is not on PATH", async () => {
  const root = await Deno.makeTempDir({ prefix: "mlp-failclosed-" });
  const git = (...args: string[]) => exec("git", args, root, { PATH: "/usr/bin:/bin" });
  await git("init", "--quiet", "--initial-branch=main");
  await Deno.mkdir(join(root, ".githooks"));
  for (const name of ["pre-commit", "pre-merge-commit", "commit-msg"]) {
    await Deno.copyFile(join(MLP_ROOT, "hooks", name), join(root, ".githooks", name));
    await Deno.chmod(join(root, ".githooks", name), 0o755);
  }
  await git("config", "core.hooksPath", ".githooks");
  await Deno.writeTextFile(join(root, "README.md"), "x\n");
  await git("add", "README.md");
  const out = await git("commit", "-m", "first");
  notEqual(out.code, 0);
  match(
    out.stderr,
    /pre-commit: commit refused: the governance checks cannot run because "mlp" is not on PATH/,
  );
  match(out.stderr, /install mlp/);
  const log = await git("rev-parse", "--verify", "HEAD");
  notEqual(log.code, 0, "a commit was made");
  equal((await git("diff", "--cached", "--name-only")).stdout, "README.md\n");
  await Deno.remove(root, { recursive: true });
});

/**
 * The environment checked against the lock (issue 7, item 3): an edited `.venv` refuses the run,
 * naming the package and the file, and `uv sync --locked --reinstall-package` restores it. The
 * project gets an environment of its own (the other tests share one that must stay intact).
 */
import { equal, match } from "node:assert/strict";
import { dirname, join } from "node:path";
import { createProject, exec } from "../support/project.ts";

Deno.test("an edited environment refuses the run until uv reinstalls it", async (t) => {
  const project = await createProject({ rows: 1500 });
  const { root } = project;
  const envDir = join(dirname(root), "venv");
  const env = { UV_PROJECT_ENVIRONMENT: envDir };
  const synced = await exec(
    "uv",
    ["sync", "--quiet", "--locked", "--no-compile-bytecode"],
    root,
    env,
  );
  equal(synced.code, 0, synced.stderr);
  const site = join(envDir, "lib/python3.11/site-packages");

  await t.step("a .pth file no package lists is refused", async () => {
    await Deno.writeTextFile(join(site, "zz_patch.pth"), "import os\n");
    const out = await project.mlp(["run"], { env });
    await Deno.remove(join(site, "zz_patch.pth"));
    equal(out.code, 1, out.stderr);
    match(
      out.stderr,
      new RegExp(`The environment "${envDir}" is not what uv installed from uv\\.lock`),
    );
    match(out.stderr, /"zz_patch\.pth" is a \.pth file no installed package lists/);
    equal((await project.runs()).length, 0);
  });

  await t.step(
    "a patched scikit-learn file is refused, naming the package and the file",
    async () => {
      const file = join(site, "sklearn/metrics/_ranking.py");
      const text = await Deno.readTextFile(file);
      // A new file rather than an edit in place: uv may have hard-linked it from its cache.
      await Deno.remove(file);
      await Deno.writeTextFile(file, text + "\n# roc_auc_score += 0.1\n");
      const out = await project.mlp(["run"], { env });
      equal(out.code, 1, out.stderr);
      match(
        out.stderr,
        /scikit-learn 1\.9\.1: "sklearn\/metrics\/_ranking\.py" does not match its RECORD hash/,
      );
      match(out.stderr, /uv sync --locked --reinstall-package scikit-learn/);
      equal((await project.runs()).length, 0);
    },
  );

  await t.step("after `uv sync --locked --reinstall-package scikit-learn` it runs", async () => {
    const fixed = await exec(
      "uv",
      [
        "sync",
        "--quiet",
        "--locked",
        "--no-compile-bytecode",
        "--reinstall-package",
        "scikit-learn",
      ],
      root,
      env,
    );
    equal(fixed.code, 0, fixed.stderr);
    const out = await project.mlp(["run"], { env });
    equal(out.code, 0, out.stderr);
    match(out.stderr, /mlp: environment ".*" matches uv\.lock \(\d+ files, \d+ hashed\)/);
    const run = await project.readRun(out.stdout.trim().split("\n").at(-1)!);
    equal(run.status, "FINISHED");
  });
});

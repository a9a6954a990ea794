/**
 * The hook scripts that client projects run: they run the mlp that `mlp hooks install` recorded
 * in the clone's own git config, whatever the environment says, and refuse the commit or merge
 * when that mlp is missing.
 */
import { equal, match, notEqual } from "node:assert/strict";
import { join } from "node:path";
import { exec, MLP_ROOT } from "./support/project.ts";
import { EXPERIMENT, git as hookGit, makeProject } from "../src/hooks/testing.ts";

const HOOKS = ["pre-commit", "pre-merge-commit", "commit-msg"];

/** A repository with the shipped hook scripts and core.hooksPath, but no `mlp hooks install`. */
async function bareHooks(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "mlp-failclosed-" });
  await exec("git", ["init", "--quiet", "--initial-branch=main"], root);
  await Deno.mkdir(join(root, ".githooks"));
  for (const name of HOOKS) {
    await Deno.copyFile(join(MLP_ROOT, "hooks", name), join(root, ".githooks", name));
    await Deno.chmod(join(root, ".githooks", name), 0o755);
  }
  await exec("git", ["config", "core.hooksPath", ".githooks"], root);
  await Deno.writeTextFile(join(root, "README.md"), "x\n");
  await exec("git", ["add", "README.md"], root);
  return root;
}

/** The commit was not made and the file is still staged. */
async function notCommitted(root: string): Promise<void> {
  notEqual(
    (await exec("git", ["rev-parse", "--verify", "HEAD"], root)).code,
    0,
    "a commit was made",
  );
  equal((await exec("git", ["diff", "--cached", "--name-only"], root)).stdout, "README.md\n");
}

Deno.test("hooks/pre-commit fails closed: without a recorded mlp the commit is refused, even with mlp on PATH and $MLP set", async () => {
  const root = await bareHooks();
  const out = await exec("git", ["commit", "-m", "first"], root, {
    PATH: `${join(MLP_ROOT, "bin")}:/usr/bin:/bin`,
    MLP: "/bin/true",
  });
  notEqual(out.code, 0);
  equal(
    out.stderr,
    "pre-commit: commit refused: the governance checks cannot run because no mlp is recorded " +
      "for this clone (git config --local mlp.path is not set)\n" +
      "pre-commit: run `mlp hooks install` in the project, then try again\n",
  );
  await notCommitted(root);
  await Deno.remove(root, { recursive: true });
});

Deno.test("hooks/pre-commit fails closed: a recorded mlp that is not an executable file refuses the commit", async () => {
  const root = await bareHooks();
  for (const recorded of ["/nonexistent/mlp", join(MLP_ROOT, "README.md"), join(MLP_ROOT, "bin")]) {
    await exec("git", ["config", "mlp.path", recorded], root);
    const out = await exec("git", ["commit", "-m", "first"], root);
    notEqual(out.code, 0);
    equal(
      out.stderr,
      "pre-commit: commit refused: the governance checks cannot run because the mlp that " +
        `\`mlp hooks install\` recorded, "${recorded}" (git config mlp.path), is not an ` +
        "executable file\n" +
        "pre-commit: install mlp again, run `mlp hooks install` in the project with it, then try " +
        "again\n",
      recorded,
    );
    await notCommitted(root);
  }
  await Deno.remove(root, { recursive: true });
});

Deno.test("no environment variable chooses the mlp the hooks run: a protected change and an unproven merge are still refused", async (t) => {
  const root = await makeProject();
  const fakeBin = await Deno.makeTempDir({ prefix: "mlp-fake-bin-" });
  await Deno.writeTextFile(join(fakeBin, "mlp"), "#!/bin/sh\nexit 0\n");
  await Deno.writeTextFile(join(fakeBin, "deno"), "#!/bin/sh\nexit 0\n");
  await Deno.chmod(join(fakeBin, "mlp"), 0o755);
  await Deno.chmod(join(fakeBin, "deno"), 0o755);
  const bypasses: Record<string, Record<string, string>> = {
    "MLP=true": { MLP: "true" },
    "MLP=/bin/true": { MLP: "/bin/true" },
    "MLP_DENO=/bin/true": { MLP_DENO: "/bin/true" },
    "a fake mlp first on PATH": { PATH: `${fakeBin}:${Deno.env.get("PATH")}` },
    "mlp.path=/bin/true from the environment's git config": {
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "mlp.path",
      GIT_CONFIG_VALUE_0: "/bin/true",
    },
  };
  const gitWith = (env: Record<string, string>, ...args: string[]) =>
    exec("git", args, root, { MLFLOW_TRACKING_URI: "", ...env });

  await hookGit(root, ["checkout", "-q", "-b", "feature"]);
  await Deno.writeTextFile(
    join(root, "configs/experiment.yaml"),
    EXPERIMENT.replace(
      "protected:\n  metric_definition: roc_auc\n  split_strategy: stratified_kfold",
      "protected:\n  metric_definition: roc_auc\n  split_strategy: temporal_split",
    ),
  );
  await hookGit(root, ["add", "configs/experiment.yaml"]);
  for (const [name, env] of Object.entries(bypasses)) {
    await t.step(`${name} git commit: the protected change is refused`, async () => {
      const out = await gitWith(env, "commit", "-q", "-m", "temporal split");
      equal(out.code, 1, out.stderr);
      match(out.stderr, /protected field "protected\.split_strategy"/);
      match(out.stderr, /error: Commit refused: \d+ problems? in the staged changes/);
    });
  }

  await hookGit(root, ["checkout", "-q", "--", "."]);
  await hookGit(root, ["reset", "-q", "--hard"]);
  await Deno.writeTextFile(join(root, "src/helpers.py"), "def lag(x):\n    return x + 1\n");
  await hookGit(root, ["commit", "-q", "-am", "lag by one"]);
  await hookGit(root, ["checkout", "-q", "main"]);
  for (const [name, env] of Object.entries(bypasses)) {
    await t.step(`${name} git merge: the unproven merge is refused`, async () => {
      const out = await gitWith(env, "merge", "feature", "-m", "Merge feature");
      equal(out.code, 1, out.stderr);
      // The real mlp ran: the project has no MLflow store, so nothing can prove the merge.
      match(out.stderr, /^error: No MLflow store at ".*\/mlflow\.db"$/m);
      await gitWith({}, "merge", "--abort");
      equal((await hookGit(root, ["log", "-1", "--format=%s"])).stdout, "Initial commit\n");
    });
  }
  await Deno.remove(fakeBin, { recursive: true });
  await Deno.remove(root, { recursive: true });
});

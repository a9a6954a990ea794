import assert from "node:assert/strict";
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import { git, run, writeFiles } from "../hooks/testing.ts";
import { relabel, scaffoldDrift } from "./drift.ts";

/** A small Copier template in a git repository, tagged v1.0.0, and a project generated from it. */
async function templateAndProject(): Promise<{ parent: string; tpl: string; root: string }> {
  const parent = await Deno.makeTempDir({ prefix: "mlp-drift-test-" });
  const tpl = join(parent, "tpl");
  await writeFiles(tpl, {
    "copier.yml": "_subdirectory: template\nproject_name:\n  type: str\n",
    "template/README.md.jinja": "# {{ project_name }}\n\nRead me.\n",
    "template/src/model.py": "MODEL = 1\n",
    "template/.githooks/pre-commit": "#!/bin/sh\nexec mlp hook pre-commit\n",
    "template/{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
  });
  await Deno.chmod(join(tpl, "template/.githooks/pre-commit"), 0o755);
  await git(tpl, ["init", "-q", "-b", "main"]);
  await git(tpl, ["add", "-A"]);
  await git(tpl, ["commit", "-q", "-m", "template"]);
  await git(tpl, ["tag", "v1.0.0"]);
  const root = join(parent, "project");
  const copied = await run(parent, "copier", [
    "copy",
    "--quiet",
    "--trust",
    "--defaults",
    "--data",
    "project_name=demo",
    tpl,
    root,
  ]);
  assert.equal(copied.code, 0, copied.stderr);
  await git(root, ["init", "-q", "-b", "main"]);
  await git(root, ["add", "-A"]);
  await git(root, ["commit", "-q", "-m", "From the template"]);
  return { parent, tpl, root };
}

Deno.test("scaffoldDrift: clean, then every kind of drift with its diff and fix", async () => {
  const { parent, tpl, root } = await templateAndProject();
  assert.deepEqual(await scaffoldDrift(root), {
    template: { src: tpl, commit: "v1.0.0" },
    findings: [],
  });

  // Project code is the project's: not drift.
  await writeFiles(root, {
    "src/model.py": "MODEL = 2\n",
    "README.md": "# demo\n\nRead me, ours.\n",
    ".githooks/post-checkout": "x\n",
  });
  await Deno.chmod(join(root, ".githooks/pre-commit"), 0o644);
  const base = (await git(root, ["rev-parse", "HEAD"])).stdout.trim().slice(0, 12);
  const report = await scaffoldDrift(root);
  const noIndex = (diff: string) =>
    diff.split("\n").filter((l) => !l.startsWith("index ")).join("\n");
  const reverse = "apply the diff reversed (`mlp drift --patch | git apply -R` restores every " +
    "drifted file)";
  const update = "a change every project needs belongs in mlp's template, and reaches projects " +
    "with `copier update`";
  assert.deepEqual(
    report.findings.map((f) => ({ ...f, diff: noIndex(f.diff) })),
    [
      {
        file: ".githooks/post-checkout",
        kind: "extra",
        diff: "diff --git a/.githooks/post-checkout b/.githooks/post-checkout\n" +
          "new file mode 100644\n--- /dev/null\n+++ b/.githooks/post-checkout\n@@ -0,0 +1 @@\n+x\n",
        fix: "remove it (`git rm -f -- .githooks/post-checkout`): .githooks/ holds the " +
          "template's files only",
      },
      {
        file: ".githooks/pre-commit",
        kind: "changed",
        diff: "diff --git a/.githooks/pre-commit b/.githooks/pre-commit\n" +
          "old mode 100755\nnew mode 100644\n",
        fix: `restore the version Copier wrote in commit ${base}: \`git checkout ${base} -- ` +
          `.githooks/pre-commit\`, or ${reverse}; ${update}`,
      },
      {
        file: "README.md",
        kind: "changed",
        diff: "diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n" +
          "@@ -1,3 +1,3 @@\n # demo\n \n-Read me.\n+Read me, ours.\n",
        fix: `restore the version Copier wrote in commit ${base}: \`git checkout ${base} -- ` +
          `README.md\`, or ${reverse}; ${update}`,
      },
    ],
  );

  // Deleted, and committed that way: the commit Copier wrote still has it.
  await git(root, ["checkout", "--", "README.md", ".githooks/pre-commit"]);
  await Deno.remove(join(root, ".githooks/post-checkout"));
  await Deno.remove(join(root, "README.md"));
  const [missing] = (await scaffoldDrift(root)).findings;
  assert.equal(missing.kind, "missing");
  assert.match(missing.diff, /^deleted file mode 100644$/m);
  assert.match(missing.diff, /^--- a\/README\.md\n\+\+\+ \/dev\/null$/m);
  await Deno.remove(parent, { recursive: true });
});

Deno.test("scaffoldDrift fails closed without the answers file or the recorded version", async () => {
  const { parent, tpl, root } = await templateAndProject();
  const answers = join(root, ".copier-answers.yml");
  const text = await Deno.readTextFile(answers);
  await Deno.writeTextFile(answers, text.replace("v1.0.0", "v9.9.9"));
  await assert.rejects(scaffoldDrift(root), (error: unknown) => {
    assert.ok(error instanceof CheckError);
    assert.equal(
      error.message,
      `Copier could not render the template "${tpl}" at version "v9.9.9" ` +
        "(.copier-answers.yml: _src_path, _commit)",
    );
    assert.equal(error.details.at(-1), "ValueError: Unknown revision: 'v9.9.9'");
    return true;
  });
  await Deno.remove(answers);
  await assert.rejects(
    scaffoldDrift(root),
    (error: unknown) =>
      error instanceof CheckError &&
      error.message ===
        "The project has no .copier-answers.yml, so its scaffold cannot be compared with the template",
  );
  await Deno.remove(parent, { recursive: true });
});

Deno.test("relabel names the project file on both sides of a diff", () => {
  assert.equal(
    relabel(
      "diff --git a/tmp/x/README.md b/p/README.md\n--- a/tmp/x/README.md\n+++ b/p/README.md\n@@ -1 +1 @@\n--- a/keep\n",
      "README.md",
    ),
    "diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n--- a/keep\n",
  );
  assert.equal(
    relabel(
      "diff --git a/tmp/x/a.bin b/p/a.bin\nBinary files /dev/null and b/p/a.bin differ\n",
      "a.bin",
    ),
    "diff --git a/a.bin b/a.bin\nBinary files /dev/null and b/a.bin differ\n",
  );
});

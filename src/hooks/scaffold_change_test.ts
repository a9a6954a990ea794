import assert from "node:assert/strict";
import { join } from "node:path";
import { commitAll, git, makeProject, writeFiles } from "./testing.ts";

const ANSWERS = "# Written by Copier\n_commit: v1.0.0\n_src_path: /opt/mlp\nproject_name: p\n";
const REFUSED = (count: string) =>
  `error: Commit refused: ${count} in the staged changes (listed above)\n` +
  "hint: fix each one as described, `git add` the fix, and commit again\n";

Deno.test("a scaffold file changes only with .copier-answers.yml, or back to Copier's version", async (t) => {
  const root = await makeProject();
  await t.step("the commit that adds the answers file may add scaffold files", async () => {
    await writeFiles(root, { ".copier-answers.yml": ANSWERS, "README.md": "# p\n" });
    assert.equal((await commitAll(root, "From the template")).code, 0);
  });
  const base = (await git(root, ["rev-parse", "HEAD"])).stdout.trim().slice(0, 12);

  await t.step(
    "an edit of a scaffold file alone is refused, naming the file and the fix",
    async () => {
      await writeFiles(root, {
        "README.md": "# p, our way\n",
        ".githooks/post-checkout": "#!/bin/sh\n",
      });
      const result = await commitAll(root, "Our README");
      assert.equal(result.code, 1);
      const tail = "(scaffold files change only with `copier update`)\n  how to proceed: ";
      const why =
        "; project logic belongs in src/ and configs/, and a change every project needs " +
        "in mlp's template, which projects take with `copier update`\n";
      assert.equal(
        result.stderr,
        ".githooks/post-checkout: a scaffold file is added, but the commit does not update " +
          `.copier-answers.yml ${tail}unstage it (\`git rm --cached -- .githooks/post-checkout\`)` +
          why +
          "README.md: a scaffold file is changed, but the commit does not update " +
          `.copier-answers.yml ${tail}restore the version Copier wrote (\`git checkout ${base} ` +
          `-- README.md\`)${why}${REFUSED("2 problems")}`,
      );
      await git(root, ["rm", "-q", "--cached", "--", ".githooks/post-checkout"]);
      await Deno.remove(join(root, ".githooks/post-checkout"));
    },
  );

  await t.step("a comment edited in the answers file is no update", async () => {
    await writeFiles(root, { ".copier-answers.yml": `# edited\n${ANSWERS}` });
    const result = await commitAll(root, "Comment");
    assert.match(result.stderr, /^README\.md: a scaffold file is changed/m);
    assert.match(result.stderr, /^\.copier-answers\.yml: a scaffold file is changed/m);
  });

  await t.step("with a new template version in the answers file, it passes", async () => {
    await writeFiles(root, { ".copier-answers.yml": ANSWERS.replace("v1.0.0", "v1.1.0") });
    assert.equal((await commitAll(root, "copier update to v1.1.0")).code, 0);
  });

  await t.step("restoring the version Copier wrote passes", async () => {
    const updated = (await git(root, ["rev-parse", "HEAD"])).stdout.trim().slice(0, 12);
    await writeFiles(root, { "README.md": "# p, drifted\n" });
    assert.equal((await commitAll(root, "drift")).code, 1);
    // Drift committed past the hook (as an older mlp, or --no-verify, lets through).
    await git(root, ["commit", "-q", "--no-verify", "-m", "drift"]);
    await git(root, ["checkout", updated, "--", "README.md"]);
    assert.equal((await commitAll(root, "Back to the template's README")).code, 0);
  });

  await t.step("deleting the answers file is refused", async () => {
    await Deno.remove(join(root, ".copier-answers.yml"));
    const result = await commitAll(root, "No more Copier");
    assert.equal(
      result.stderr,
      ".copier-answers.yml: the Copier answers file is deleted\n" +
        "  how to proceed: `copier update` and `mlp drift` read it: restore it " +
        "(`git checkout HEAD -- .copier-answers.yml`) and stage it\n" + REFUSED("1 problem"),
    );
    await git(root, ["checkout", "HEAD", "--", ".copier-answers.yml"]);
  });
  await Deno.remove(root, { recursive: true });
});

Deno.test("conflict markers in any staged file are refused; a Markdown underline is not one", async () => {
  const root = await makeProject();
  await writeFiles(root, {
    "notes.md": "Title\n=======\n\ntext\n",
    "src/helpers.py": "def lag(x):\n<<<<<<< HEAD\n    return x\n=======\n" +
      "    return x + 1\n>>>>>>> feature\n",
  });
  const result = await commitAll(root, "Half-resolved merge");
  assert.equal(
    result.stderr,
    "src/helpers.py:2: conflict markers are left in the file (lines 2-6)\n" +
      "  how to proceed: resolve the conflict: keep the right text between the markers, delete " +
      "the `<<<<<<<`, `=======` and `>>>>>>>` lines, then `git add` the file\n" +
      REFUSED("1 problem"),
  );
  await writeFiles(root, { "src/helpers.py": "def lag(x):\n    return x + 1\n" });
  assert.equal((await commitAll(root, "Resolved")).code, 0);
  await Deno.remove(root, { recursive: true });
});

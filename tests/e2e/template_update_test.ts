/**
 * `copier update` a team can rely on: a template repository with release tags (built here, as a
 * CI checkout may carry no tags), a project generated from v1.0.0 and committed through the real
 * hooks, `mlp drift` clean, then drifting, a `copier update` to v1.1.0 committed through the
 * hooks with `mlp drift` clean after, run and merged through the merge gate, and an update that
 * conflicts with an edit the project made to the same lines: the markers Copier leaves are
 * refused by the pre-commit hook.
 */
import { equal } from "node:assert/strict";
import { join } from "node:path";
import { createProject, exec, MLP_ROOT, type Output } from "../support/project.ts";

/** Runs a command, throwing with its output unless it exits 0. */
async function must(cmd: string, args: string[], cwd: string): Promise<Output> {
  const out = await exec(cmd, args, cwd);
  if (out.code !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${out.stdout}${out.stderr}`);
  return out;
}

/** Commits everything in the template repository and tags it. */
async function release(repo: string, tag: string): Promise<void> {
  await must("git", ["add", "-A"], repo);
  await must("git", ["commit", "--quiet", "-m", `Template ${tag}`], repo);
  await must("git", ["tag", tag], repo);
}

async function replaceIn(file: string, from: string, to: string): Promise<void> {
  const text = await Deno.readTextFile(file);
  if (!text.includes(from)) throw new Error(`${from} not in ${file}`);
  await Deno.writeTextFile(file, text.replace(from, to));
}

Deno.test("a project generated from a release tag takes the next release with copier update", async (t) => {
  const parent = await Deno.makeTempDir({ prefix: "mlp-template-" });
  const tpl = join(parent, "mlp-template");
  await Deno.mkdir(tpl);
  await must("cp", ["-R", join(MLP_ROOT, "copier.yml"), join(MLP_ROOT, "template"), tpl], parent);
  await must("git", ["init", "--quiet", "--initial-branch=main"], tpl);
  await release(tpl, "v1.0.0");
  const readme = join(tpl, "template/README.md.jinja");
  await replaceIn(readme, "# {{ project_name }}", "# {{ project_name }} (v1.1.0)");
  await release(tpl, "v1.1.0");

  const project = await createProject({ template: { src: tpl, ref: "v1.0.0" }, rows: 1000 });
  const answers = () => Deno.readTextFile(join(project.root, ".copier-answers.yml"));

  await t.step("the project records the tag and its scaffold is the template's", async () => {
    equal(/^_commit: (.*)$/m.exec(await answers())?.[1], "v1.0.0");
    const drift = await project.mlp(["drift"]);
    equal(drift.stdout, `ok: every scaffold file matches the template "${tpl}" at v1.0.0\n`);
    equal(drift.code, 0, drift.stderr);
  });

  await t.step("an edit of a scaffold file is drift, with its diff and fix", async () => {
    await Deno.writeTextFile(join(project.root, "CLAUDE.md"), "Ours.\n");
    const drift = await project.mlp(["drift"]);
    equal(drift.code, 1);
    const base = (await project.git(["rev-parse", "HEAD"])).stdout.trim().slice(0, 12);
    equal(
      drift.stdout.split("\n").filter((line) => !line.startsWith("index ")).join("\n"),
      "CLAUDE.md: differs from the template's\n" +
        "diff --git a/CLAUDE.md b/CLAUDE.md\n" +
        "--- a/CLAUDE.md\n" +
        "+++ b/CLAUDE.md\n" +
        "@@ -1,3 +1 @@\n" +
        "-@AGENTS.md\n" +
        "-\n" +
        "-Claude Code: run experiments only with `mlp run` through the Bash tool, never by " +
        "importing src/ in a Python session.\n" +
        "+Ours.\n" +
        "  how to proceed: restore the version Copier wrote in commit " +
        `${base}: \`git checkout ${base} -- CLAUDE.md\`, or apply the diff reversed ` +
        "(`mlp drift --patch | git apply -R` restores every drifted file); a change every " +
        "project needs belongs in mlp's template, and reaches projects with `copier update`\n",
    );
    equal(
      drift.stderr,
      `error: 1 scaffold file differs from the template "${tpl}" at v1.0.0 (listed above)\n` +
        "hint: scaffold files change only with `copier update`: restore each as described\n",
    );
    await project.git(["checkout", base, "--", "CLAUDE.md"]);
  });

  await t.step(
    "copier update to v1.1.0 on a branch, committed through the hooks, run, merged through the gate",
    async () => {
      await project.git(["checkout", "--quiet", "-b", "template/v1.1.0"]);
      await must(
        "copier",
        ["update", "--quiet", "--defaults", "--trust", "--vcs-ref", "v1.1.0"],
        project.root,
      );
      equal(/^_commit: (.*)$/m.exec(await answers())?.[1], "v1.1.0");
      const head = await Deno.readTextFile(join(project.root, "README.md"));
      equal(head.split("\n")[0], "# credit_risk (v1.1.0)");
      await project.git(["add", "-A"]);
      await project.git(["commit", "--quiet", "-m", "copier update to v1.1.0"]);
      const drift = await project.mlp(["drift"]);
      equal(drift.stdout, `ok: every scaffold file matches the template "${tpl}" at v1.1.0\n`);
      equal(drift.code, 0, drift.stderr);
      const run = await project.mlp(["run"]);
      equal(run.code, 0, run.stderr);
      const runId = run.stdout.trim().split("\n").at(-1)!;
      await project.git(["checkout", "--quiet", "main"]);
      const merged = await project.git([
        "merge",
        "--no-ff",
        "template/v1.1.0",
        "-m",
        `Merge template/v1.1.0\n\nMLflow-Run: ${runId}`,
      ], { allowFailure: true });
      equal(merged.code, 0, merged.stderr);
      equal(/^_commit: (.*)$/m.exec(await answers())?.[1], "v1.1.0");
    },
  );

  await t.step("an update that conflicts leaves markers the pre-commit hook refuses", async () => {
    await replaceIn(readme, "# {{ project_name }} (v1.1.0)", "# {{ project_name }} (v1.2.0)");
    await release(tpl, "v1.2.0");
    // The project edited the same line, in a commit the hook did not see (an older mlp).
    await project.edit("README.md", "# credit_risk (v1.1.0)", "# credit_risk, Acme's way");
    await project.git(["commit", "--quiet", "--no-verify", "-am", "our README title"]);
    await must(
      "copier",
      ["update", "--quiet", "--defaults", "--trust", "--vcs-ref", "v1.2.0"],
      project.root,
    );
    const lines = (await Deno.readTextFile(join(project.root, "README.md"))).split("\n");
    equal(
      lines.slice(0, 5).join("\n"),
      [
        "<<<<<<< before updating",
        "# credit_risk, Acme's way",
        "=======",
        "# credit_risk (v1.2.0)",
        ">>>>>>> after updating",
      ].join("\n"),
    );
    await project.git(["add", "-A"]);
    const refused = await project.git(["commit", "--quiet", "-m", "copier update to v1.2.0"], {
      allowFailure: true,
    });
    equal(refused.code, 1);
    equal(
      refused.stderr,
      "README.md:1: conflict markers are left in the file (lines 1-5)\n" +
        "  how to proceed: resolve the conflict: keep the right text between the markers, " +
        "delete the `<<<<<<<`, `=======` and `>>>>>>>` lines, then `git add` the file\n" +
        "error: Commit refused: 1 problem in the staged changes (listed above)\n" +
        "hint: fix each one as described, `git add` the fix, and commit again\n",
    );
    await project.edit(
      "README.md",
      /^<<<<<<< before updating\n.*\n=======\n(.*)\n>>>>>>> after updating\n/,
      "$1\n",
    );
    await project.git(["add", "-A"]);
    await project.git(["commit", "--quiet", "-m", "copier update to v1.2.0"]);
    const drift = await project.mlp(["drift"]);
    equal(drift.stdout, `ok: every scaffold file matches the template "${tpl}" at v1.2.0\n`);
    equal(drift.code, 0, drift.stderr);
  });
  await Deno.remove(parent, { recursive: true });
  await Deno.remove(join(project.root, ".."), { recursive: true });
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { writeMlflowRuns } from "../tracking/testing.ts";
import { commitAll, git, makeProject, provingParams, writeFiles } from "./testing.ts";

/**
 * A project whose branch `feature` is one commit ahead of `main` (a merge could fast-forward),
 * with an MLflow store holding a proving run, a run with wrong fingerprints and a failed run.
 */
async function mergeFixture() {
  const root = await makeProject();
  await git(root, ["checkout", "-q", "-b", "feature"]);
  await writeFiles(root, { "src/helpers.py": "def lag(x, n=1):\n    return x\n" });
  assert.equal((await commitAll(root, "Lag helper")).code, 0);
  await git(root, ["checkout", "-q", "main"]);
  const tip = (await git(root, ["rev-parse", "feature"])).stdout.trim();
  const params = await provingParams(root, tip);
  const tags = { "mlp.config": "configs/experiment.yaml" };
  const [good, bad, failed] = await writeMlflowRuns(`sqlite:///${join(root, "mlflow.db")}`, [
    { params, tags, sealed: true },
    {
      sealed: true,
      params: {
        ...params,
        git_dirty: "true",
        dependency_lock_hash: "0".repeat(64),
        "protected.split_strategy": "temporal_split",
      },
      tags,
    },
    { params, tags, status: "FAILED" },
  ]);
  return { root, tip, short: tip.slice(0, 12), good, bad, failed };
}

const HINT = (short: string) =>
  `hint: run \`mlp run\` at ${short} on a clean tree (it notes the run ID on the commit), then ` +
  'merge with "MLflow-Run: <run id>" in the message or with the note ' +
  "(`git fetch origin refs/notes/mlflow:refs/notes/mlflow` brings a colleague's notes)\n";

Deno.test("git merge is refused without a run, with a run that does not prove the tip, and passes with one that does", async (t) => {
  const { root, tip, short, good, bad, failed } = await mergeFixture();
  const merge = (...messages: string[]) =>
    git(root, ["merge", "feature", ...messages.flatMap((m) => ["-m", m])], true);
  const abort = () => git(root, ["merge", "--abort"]);
  const head = async () => (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
  const main = await head();

  await t.step("merge.ff=false makes a fast-forwardable merge run the hooks", async () => {
    assert.equal((await git(root, ["config", "merge.ff"])).stdout, "false\n");
    const result = await merge("Merge feature");
    assert.notEqual(result.code, 0);
    assert.equal(
      result.stderr,
      "mlp: no git note proves the merge; the commit-msg hook checks its message\n" +
        `error: No MLflow run is named for commit ${short}\n` +
        `  - the merge message has no "MLflow-Run: <run id>" line and refs/notes/mlflow has no note on ${short}\n` +
        HINT(short) +
        "Not committing merge; use 'git commit' to complete the merge.\n",
    );
    assert.equal(await head(), main);
    await abort();
  });

  await t.step("a run with other fingerprints is refused, each mismatch named", async () => {
    const result = await merge("Merge feature", `MLflow-Run: ${bad}`);
    assert.notEqual(result.code, 0);
    const lock = (await provingParams(root, tip)).dependency_lock_hash;
    assert.ok(
      result.stderr.includes(
        `error: No MLflow run proves commit ${short}: the run named does not\n` +
          `  - run ${bad}: git_dirty: run has "true", commit has "false"\n` +
          `  - run ${bad}: dependency_lock_hash: run has "${
            "0".repeat(64)
          }", commit has "${lock}"\n` +
          `  - run ${bad}: protected.split_strategy: run has "temporal_split", commit has "stratified_kfold"\n` +
          HINT(short),
      ),
      result.stderr,
    );
    assert.equal(await head(), main);
    await abort();
  });

  await t.step("a FAILED run is refused", async () => {
    const result = await merge("Merge feature", `MLflow-Run: ${failed}`);
    assert.match(
      result.stderr,
      new RegExp(`run ${failed}: status: run is "FAILED", must be "FINISHED"`),
    );
    await abort();
  });

  await t.step("a run named in the merge message lets the merge through", async () => {
    const result = await merge("Merge feature", `MLflow-Run: ${failed}\nMLflow-Run: ${good}`);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`mlp: merge of ${short} proven by MLflow run ${good}`));
    const parents = (await git(root, ["log", "-1", "--format=%P"])).stdout.trim().split(" ");
    assert.deepEqual(parents, [main, tip]);
    await git(root, ["reset", "-q", "--hard", main]);
  });

  await t.step("without a commit-msg hook, pre-merge-commit refuses on its own", async () => {
    await Deno.rename(join(root, ".githooks/commit-msg"), join(root, "commit-msg.off"));
    const result = await merge("Merge feature", `MLflow-Run: ${good}`);
    assert.notEqual(result.code, 0);
    assert.ok(result.stderr.startsWith(`error: No MLflow run is named for commit ${short}\n`));
    await abort();
  });

  await t.step(
    "a run noted on the branch tip lets the merge through in pre-merge-commit",
    async () => {
      await git(root, ["notes", "--ref=mlflow", "add", "-m", `MLflow-Run: ${good}`, tip]);
      const result = await merge("Merge feature");
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, `mlp: merge of ${short} proven by MLflow run ${good}\n`);
      await git(root, ["reset", "-q", "--hard", main]);
      await Deno.rename(join(root, "commit-msg.off"), join(root, ".githooks/commit-msg"));
    },
  );

  await t.step(
    "a merge concluded by git commit after a conflict is checked by commit-msg",
    async () => {
      await git(root, ["notes", "--ref=mlflow", "remove", tip]);
      await writeFiles(root, { "src/helpers.py": "def lag(x, n=2):\n    return x\n" });
      assert.equal((await commitAll(root, "Conflicting lag")).code, 0);
      const conflicted = await merge("Merge feature");
      assert.notEqual(conflicted.code, 0);
      assert.match(conflicted.stdout, /CONFLICT/);
      await writeFiles(root, { "src/helpers.py": "def lag(x, n=1):\n    return x\n" });
      await git(root, ["add", "src/helpers.py"]);
      const unproven = await git(root, ["commit", "-q", "--no-edit"], true);
      assert.notEqual(unproven.code, 0);
      assert.match(
        unproven.stderr,
        new RegExp(`error: No MLflow run is named for commit ${short}`),
      );
      const proven = await git(
        root,
        ["commit", "-q", "-m", `Merge feature\n\nMLflow-Run: ${good}`],
        true,
      );
      assert.equal(proven.code, 0, proven.stderr);
      assert.equal(
        (await git(root, ["log", "-1", "--format=%P"])).stdout.trim().split(" ")[1],
        tip,
      );
      await git(root, ["reset", "-q", "--hard", main]);
    },
  );

  await t.step("a fast-forward (merge.ff=true) would skip the hooks entirely", async () => {
    const result = await git(root, ["-c", "merge.ff=true", "merge", "feature"], true);
    assert.equal(result.code, 0);
    assert.equal(await head(), tip);
  });
  await Deno.remove(root, { recursive: true });
});

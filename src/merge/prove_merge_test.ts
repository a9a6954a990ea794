import assert from "node:assert/strict";
import { join } from "node:path";
import { commitAll, git, makeProject, mlp, provingParams, writeFiles } from "../hooks/testing.ts";
import { formatEntry, GENESIS, lineHash } from "../audit/override_log.ts";
import { sealWithAnchors } from "../audit/testing.ts";
import { writeMlflowRuns } from "../tracking/testing.ts";

/**
 * A project whose branch `feature` changes src/helpers.py, with a sealed run proving its tip, and
 * `main` one commit ahead with a conflicting change of the same file.
 */
async function conflictFixture() {
  const root = await makeProject();
  await git(root, ["checkout", "-q", "-b", "feature"]);
  await writeFiles(root, { "src/helpers.py": "def lag(x, n=1):\n    return x\n" });
  assert.equal((await commitAll(root, "Lag helper")).code, 0);
  const tip = (await git(root, ["rev-parse", "feature"])).stdout.trim();
  await git(root, ["checkout", "-q", "main"]);
  await writeFiles(root, { "src/helpers.py": "def lag(x, n=2):\n    return x\n" });
  assert.equal((await commitAll(root, "Conflicting lag")).code, 0);
  const main = (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
  const [good] = await writeMlflowRuns(`sqlite:///${join(root, "mlflow.db")}`, [
    {
      params: await provingParams(root, tip),
      tags: { "mlp.config": "configs/experiment.yaml" },
      sealed: true,
    },
  ]);
  return { root, tip, short: tip.slice(0, 12), main, good };
}

const EVIL_HINT = (paths: string) =>
  `hint: the merged tree must be what the run ran: undo the edits to ${paths} in the merge, ` +
  "or commit them on the branch (merging the target branch in first if it changed them), run " +
  "`mlp run` there and merge the new tip\n";

Deno.test("an evil merge (src/ edited while resolving) is refused by commit-msg, an amended merge by verify-run, an honest merge passes both", async (t) => {
  const { root, tip, short, main, good } = await conflictFixture();
  const resolve = async (files: Record<string, string>) => {
    const conflicted = await git(root, ["merge", "feature", "-m", "Merge feature"], true);
    assert.notEqual(conflicted.code, 0);
    assert.match(conflicted.stdout, /CONFLICT/);
    await writeFiles(root, { "src/helpers.py": "def lag(x, n=1):\n    return x\n", ...files });
    await git(root, ["add", "-A"]);
  };
  const commitMerge = () =>
    git(root, ["commit", "-q", "-m", `Merge feature\n\nMLflow-Run: ${good}`], true);

  await t.step("a merge that edits src/features.py while resolving is refused", async () => {
    await resolve({ "src/features.py": "def build_features(df, config):\n    return df * 2\n" });
    const result = await commitMerge();
    assert.notEqual(result.code, 0);
    assert.equal(
      result.stderr,
      `error: The merge differs from the proven commit ${short} (MLflow run ${good}) in ` +
        "files that affect a run\n" +
        `  - "src/features.py" differs from ${short}\n` +
        EVIL_HINT('"src/features.py"'),
    );
    assert.equal((await git(root, ["rev-parse", "HEAD"])).stdout.trim(), main);
    await git(root, ["merge", "--abort"]);
  });

  await t.step("an honest resolution passes the gate and verify-run", async () => {
    await resolve({});
    const result = await commitMerge();
    assert.equal(result.code, 0, result.stderr);
    const merge = (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
    const verified = await mlp(root, ["verify-run", "--commit", "HEAD"]);
    assert.equal(verified.code, 0, verified.stderr);
    assert.equal(
      verified.stdout,
      `Merge ${merge}: tip ${tip} is proven by MLflow run ${good}\n`,
    );
  });

  await t.step("the merge amended with an edit of src/ is refused by verify-run", async () => {
    await writeFiles(root, {
      "src/features.py": "def build_features(df, config):\n    return df * 2\n",
      "uv.lock": "version = 2\n",
    });
    await git(root, ["add", "-A"]);
    const amended = await git(root, ["commit", "-q", "--amend", "--no-edit"], true);
    assert.equal(amended.code, 0, amended.stderr);
    const merge = (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
    assert.equal((await git(root, ["log", "-1", "--format=%P"])).stdout.trim(), `${main} ${tip}`);
    const verified = await mlp(root, ["verify-run", "--commit", "HEAD"]);
    assert.equal(verified.code, 1);
    assert.equal(verified.stdout, "");
    assert.equal(
      verified.stderr,
      `error: Merge commit ${merge.slice(0, 12)} differs from the proven commit ${short} ` +
        `(MLflow run ${good}) in files that affect a run\n` +
        `  - "src/features.py" differs from ${short}\n` +
        `  - "uv.lock" differs from ${short}\n` +
        EVIL_HINT('"src/features.py", "uv.lock"'),
    );
  });
  await Deno.remove(root, { recursive: true });
});

Deno.test("pre-merge-commit refuses a clean merge whose tree differs from the proven tip in src/", async () => {
  const root = await makeProject();
  await git(root, ["checkout", "-q", "-b", "feature"]);
  await writeFiles(root, { "src/helpers.py": "def lag(x, n=1):\n    return x\n" });
  assert.equal((await commitAll(root, "Lag helper")).code, 0);
  const tip = (await git(root, ["rev-parse", "feature"])).stdout.trim();
  const short = tip.slice(0, 12);
  await git(root, ["checkout", "-q", "main"]);
  await writeFiles(root, {
    "src/model.py": "def build_model(model_type, hyperparameters, random_seed):\n    return 1\n",
  });
  assert.equal((await commitAll(root, "Model change on main")).code, 0);
  const [good] = await writeMlflowRuns(`sqlite:///${join(root, "mlflow.db")}`, [
    {
      params: await provingParams(root, tip),
      tags: { "mlp.config": "configs/experiment.yaml" },
      sealed: true,
    },
  ]);
  await git(root, ["notes", "--ref=mlflow", "add", "-m", `MLflow-Run: ${good}`, tip]);
  const result = await git(root, ["merge", "feature", "-m", "Merge feature"], true);
  assert.notEqual(result.code, 0);
  assert.equal(
    result.stderr,
    `error: The merge differs from the proven commit ${short} (MLflow run ${good}) in ` +
      "files that affect a run\n" +
      `  - "src/model.py" differs from ${short}\n` +
      EVIL_HINT('"src/model.py"') +
      "Not committing merge; use 'git commit' to complete the merge.\n",
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("a merge whose proven run ran --unsandboxed needs the run's entry in the merged log", async () => {
  const root = await makeProject();
  await git(root, ["checkout", "-q", "-b", "feature"]);
  await writeFiles(root, { "src/helpers.py": "def lag(x, n=1):\n    return x\n" });
  assert.equal((await commitAll(root, "Lag helper")).code, 0);
  const tip = (await git(root, ["rev-parse", "feature"])).stdout.trim();
  await git(root, ["checkout", "-q", "main"]);
  const uri = `sqlite:///${join(root, "mlflow.db")}`;
  const [runId] = await writeMlflowRuns(
    uri,
    [{
      params: await provingParams(root, tip),
      tags: { "mlp.config": "configs/experiment.yaml", sandbox: "none" },
      status: "RUNNING",
    }],
    undefined,
    join(root, "mlartifacts"),
  );
  const line = formatEntry({
    ts: "2026-01-01T00:00:00.000Z",
    kind: "unsandboxed",
    field: "sandbox",
    old: "landlock",
    new: "none",
    operator: "ana@example.com",
    config: "configs/experiment.yaml",
    reason: "no landlock on the build host",
    commit: tip,
    run_id: runId,
    prev: GENESIS,
  });
  await sealWithAnchors(uri, { [runId]: [lineHash(line)] });
  await git(root, ["notes", "--ref=mlflow", "add", "-m", `MLflow-Run: ${runId}`, tip]);

  const refused = await git(root, ["merge", "feature", "-m", "Merge feature"], true);
  assert.notEqual(refused.code, 0);
  assert.equal(
    refused.stderr,
    `error: The merged logs/protected_overrides.log lacks the entries of MLflow run ${runId}, ` +
      "which used an escape hatch\n" +
      `  - run ${runId} ran with --unsandboxed, but logs/protected_overrides.log has no ` +
      `"unsandboxed" entry of it\n` +
      `  - run ${runId} anchors the entry "${lineHash(line)}", which is not in ` +
      "logs/protected_overrides.log\n" +
      "hint: bring the run's entries into the merge: `git merge --no-commit <branch>`, append " +
      `the lines naming run ${runId} from logs/protected_overrides.log of the clone where it ran, ` +
      "`git add logs/protected_overrides.log`, then `git commit`\n" +
      "Not committing merge; use 'git commit' to complete the merge.\n",
  );
  await git(root, ["merge", "--abort"]);

  await git(root, ["merge", "--no-commit", "feature"]);
  await writeFiles(root, { "logs/protected_overrides.log": `${line}\n` });
  await git(root, ["add", "logs/protected_overrides.log"]);
  const merged = await git(root, ["commit", "-q", "-m", "Merge feature"], true);
  assert.equal(merged.code, 0, merged.stderr);
  assert.equal(merged.stderr, `mlp: merge of ${tip.slice(0, 12)} proven by MLflow run ${runId}\n`);
  const verified = await mlp(root, ["verify-run", "--commit", "HEAD"]);
  assert.equal(verified.code, 0, verified.stderr);
  await Deno.remove(root, { recursive: true });
});

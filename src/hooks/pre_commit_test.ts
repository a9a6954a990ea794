import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { formatEntry, GENESIS, lineHash } from "../audit/override_log.ts";
import { formatManifest } from "../cas/manifest.ts";
import { DATASET, overrideEntry, testDataset } from "../config/testing.ts";
import { preCommit } from "./pre_commit.ts";
import { sealWithAnchors } from "../audit/testing.ts";
import { writeMlflowRuns } from "../tracking/testing.ts";
import {
  commitAll,
  EXPERIMENT,
  git,
  makeProject,
  mlp,
  provingParams,
  writeFiles,
} from "./testing.ts";

const GUARD_HINT =
  "  how to proceed: models are trained and logged only by `mlp run`, which fits " +
  "the estimator that src/model.py builds: remove the call (test code belongs in tests/, " +
  "utility scripts in scripts/)";
const REFUSED = (count: string) =>
  `error: Commit refused: ${count} in the staged changes (listed above)\n` +
  "hint: fix each one as described, `git add` the fix, and commit again\n";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

async function headSubject(root: string): Promise<string> {
  return (await git(root, ["log", "-1", "--format=%s"])).stdout.trim();
}

Deno.test("git commit refuses .fit( in src/ with file, line and how to proceed", async () => {
  const root = await makeProject();
  await writeFiles(root, {
    "src/model.py":
      "def build_model(X, y):\n    model = make()\n    model.fit(X, y)\n    return model\n",
  });
  const result = await commitAll(root, "Train in model.py");
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    'src/model.py:3: training call ".fit(" outside `mlp run`: model.fit(X, y)\n' +
      `${GUARD_HINT}\n${REFUSED("1 problem")}`,
  );
  assert.equal(await headSubject(root), "Initial commit");
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit accepts training patterns in comments, strings, docstrings, tests/ and scripts/", async () => {
  const root = await makeProject();
  await writeFiles(root, {
    "src/model.py": [
      '"""Never call model.fit(X, y) or mlflow.start_run() here."""',
      "import mlflow  # only for the type: mlflow.log_metric(",
      "",
      "",
      "def build_model(model_type, hyperparameters, random_seed):",
      "    '''est.partial_fit( is the platform's job.'''",
      '    note = "model.train(data)"  # model.fit(X)',
      "    return None",
      "",
    ].join("\n"),
    "tests/test_model.py": "def test_fit():\n    est.fit([[0]], [0])\n",
    "scripts/report.py": "import mlflow\nmlflow.log_metric('a', 1)\n",
    "README.md": "Call `model.fit(X, y)`.\n",
  });
  const result = await commitAll(root, "Docs only");
  assert.equal(result.stderr, "");
  assert.equal(result.code, 0);
  assert.equal(await headSubject(root), "Docs only");
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit refuses MLflow calls through aliased imports", async () => {
  const root = await makeProject();
  await writeFiles(root, {
    "src/features.py": [
      "import mlflow as m",
      "from mlflow import log_metric as lm",
      "",
      "",
      "def build_features(df, config):",
      "    with m.start_run():",
      "        lm('rows', len(df))",
      "    return df",
      "",
    ].join("\n"),
  });
  const result = await commitAll(root);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    'src/features.py:6: MLflow call "mlflow.start_run" outside `mlp run`: with m.start_run():\n' +
      "src/features.py:7: MLflow call \"mlflow.log_metric\" outside `mlp run`: lm('rows', len(df))\n" +
      `${GUARD_HINT}\n${REFUSED("2 problems")}`,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit refuses training in a notebook's code cells, naming cell and line", async () => {
  const root = await makeProject();
  const notebook = (cells: { cell_type: string; source: string[] }[]) =>
    JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 });
  await writeFiles(root, {
    "notebooks/explore.ipynb": notebook([
      { cell_type: "markdown", source: ["Call `model.fit(X, y)` to train.\n"] },
      { cell_type: "code", source: ["%matplotlib inline\n", "import mlflow as m\n", "x = 1"] },
      { cell_type: "code", source: ["# model.fit(X) in a comment\n", "model.fit(X, y)\n"] },
      { cell_type: "code", source: ["m.log_metric('auc', 0.9)"] },
    ]),
    "tests/scratch.ipynb": notebook([{ cell_type: "code", source: ["model.fit(X, y)"] }]),
    "notebooks/broken.ipynb": "{not json",
  });
  const result = await commitAll(root, "Notebooks");
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    "notebooks/broken.ipynb: cannot read the notebook, so the training guard cannot check it: " +
      `${errorMessage(() => JSON.parse("{not json"))}\n` +
      "  how to proceed: save it again from Jupyter (nbformat 4), or unstage it: " +
      "`git restore --staged notebooks/broken.ipynb`\n" +
      'notebooks/explore.ipynb: cell 3, line 2: training call ".fit(" outside `mlp run`: ' +
      "model.fit(X, y)\n" +
      'notebooks/explore.ipynb: cell 4, line 1: MLflow call "mlflow.log_metric" outside `mlp run`: ' +
      "m.log_metric('auc', 0.9)\n" +
      `${GUARD_HINT}\n${REFUSED("3 problems")}`,
  );
  await Deno.remove(root, { recursive: true });
});

function errorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a throw");
}

Deno.test("git commit judges the staged content, not the work tree", async () => {
  const root = await makeProject();
  await writeFiles(root, { "src/model.py": "model.fit(X)\n" });
  await git(root, ["add", "-A"]);
  await writeFiles(root, { "src/model.py": "model = None\n" });
  assert.equal((await git(root, ["commit", "-q", "-m", "Staged bad"], true)).code, 1);
  await git(root, ["add", "-A"]);
  await writeFiles(root, { "src/model.py": "model.fit(X)\n" });
  const result = await git(root, ["commit", "-q", "-m", "Staged good"], true);
  assert.equal(result.stderr, "");
  assert.equal(await headSubject(root), "Staged good");
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit refuses a protected field change, naming the line, unless the override is logged", async () => {
  const root = await makeProject();
  const changed = EXPERIMENT.replace(
    "protected:\n  metric_definition: roc_auc\n  split_strategy: stratified_kfold",
    "protected:\n  metric_definition: roc_auc\n  split_strategy: temporal_split\n  date_column: day",
  ).replace(
    "  split_strategy: stratified_kfold\nprotected",
    "  split_strategy: temporal_split\nprotected",
  );
  const line = changed.split("\n").indexOf("  split_strategy: temporal_split", 16) + 1;
  await writeFiles(root, { "configs/experiment.yaml": changed });
  const refused = await commitAll(root);
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr.split("\n")[0],
    `configs/experiment.yaml:${line}: protected field "protected.split_strategy" is ` +
      `"temporal_split", but configs/project_standards.yaml at HEAD requires "stratified_kfold"`,
  );
  assert.match(
    refused.stderr,
    /how to proceed: restore "stratified_kfold"; a human-approved change/,
  );
  assert.ok(refused.stderr.endsWith(REFUSED("1 problem")), refused.stderr);

  const entry = overrideEntry(
    "protected.split_strategy",
    "temporal_split",
    "stratified_kfold",
    await headSha(root),
  );
  await writeFiles(root, { "logs/protected_overrides.log": `${entry}\n` });
  const accepted = await commitAll(root, "Temporal split, approved");
  assert.equal(accepted.stderr, "");
  assert.equal(accepted.code, 0);
  await Deno.remove(root, { recursive: true });
});

const STANDARDS = "configs/project_standards.yaml";
const LOG = "logs/protected_overrides.log";
const STANDARDS_HINT = (before: string, config: string) =>
  "  how to proceed: reference values change only after a human-approved run of the new value: " +
  `${before}, ${config} and run \`mlp run --override-protected --reason "<why>"\` (it logs the ` +
  `override); then update ${STANDARDS} and commit the config, the standards and the log together`;

/** Replaces `from` with `to` in a project file (exactly once). */
async function edit(root: string, path: string, from: string, to: string): Promise<void> {
  const text = await Deno.readTextFile(join(root, path));
  assert.ok(text.includes(from), `${path} has no "${from}"`);
  await Deno.writeTextFile(join(root, path), text.replace(from, to));
}

/** 1-based line of the first line of a project file that equals `line`. */
async function lineOf(root: string, path: string, line: string): Promise<number> {
  return (await Deno.readTextFile(join(root, path))).split("\n").indexOf(line) + 1;
}

Deno.test("git commit refuses changing a protected reference value in the standards, naming the line", async () => {
  const root = await makeProject();
  await edit(root, STANDARDS, "  target_column: default\n", "  target_column: label\n");
  const line = await lineOf(root, STANDARDS, "  target_column: label");
  const finding = `${STANDARDS}:${line}: the reference value of protected field "target_column" ` +
    `changes from "default" to "label", but this commit adds no override of ` +
    `"protected.target_column" to "label" in ${LOG}\n` +
    STANDARDS_HINT(
      `with ${STANDARDS} still at "default"`,
      'set "protected.target_column" to "label" in the experiment config',
    ) + "\n";
  // The config still holds the reference value at HEAD: only this check stands in the way.
  const standardsOnly = await commitAll(root);
  assert.equal(standardsOnly.code, 1);
  assert.equal(standardsOnly.stderr, finding + REFUSED("1 problem"));

  // Moving the config along changes it from the reference value at HEAD too.
  await edit(root, "configs/experiment.yaml", "  target_column: default", "  target_column: label");
  const withConfig = await commitAll(root);
  assert.equal(withConfig.code, 1);
  assert.ok(withConfig.stderr.startsWith(finding), withConfig.stderr);
  assert.match(
    withConfig.stderr,
    /\nconfigs\/experiment\.yaml:20: protected field "protected\.target_column" is "label", but configs\/project_standards\.yaml at HEAD requires "default"\n/,
  );
  assert.ok(withConfig.stderr.endsWith(REFUSED("2 problems")), withConfig.stderr);
  assert.equal(await headSubject(root), "Initial commit");
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit accepts a standards change with the override of the new value, not of another", async () => {
  const root = await makeProject();
  await edit(root, STANDARDS, "  target_column: default\n", "  target_column: label\n");
  await edit(root, "configs/experiment.yaml", "  target_column: default", "  target_column: label");
  await writeFiles(root, { [LOG]: `${overrideEntry("protected.target_column", "target")}\n` });
  const other = await commitAll(root);
  assert.equal(other.code, 1);
  assert.match(
    other.stderr,
    /^configs\/project_standards\.yaml:\d+: the reference value of protected field "target_column" changes from "default" to "label", but this commit adds no override of "protected\.target_column" to "label" in/,
  );
  assert.ok(other.stderr.endsWith(REFUSED("2 problems")), other.stderr);

  // Of the new value, but made at another commit: it approves the commit on top of that one.
  await writeFiles(root, { [LOG]: `${overrideEntry("protected.target_column", "label")}\n` });
  assert.match((await commitAll(root)).stderr, /changes from "default" to "label", but this/);
  await writeFiles(root, {
    [LOG]: `${overrideEntry("protected.target_column", "label", "default", await headSha(root))}\n`,
  });
  const approved = await commitAll(root, "Target is label, approved");
  assert.equal(approved.stderr, "");
  assert.equal(approved.code, 0);
  assert.equal(await headSubject(root), "Target is label, approved");

  // An entry committed before does not approve a later change.
  await edit(root, STANDARDS, "  target_column: label\n", "  target_column: default\n");
  await edit(root, "configs/experiment.yaml", "  target_column: label", "  target_column: default");
  await writeFiles(root, { [LOG]: `${overrideEntry("protected.target_column", "label")}\n` });
  assert.match((await commitAll(root)).stderr, /changes from "label" to "default", but this/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit refuses adding or removing a protected field unless logged, and deleting the standards", async () => {
  const root = await makeProject();
  const config = "configs/experiment.yaml";
  await edit(
    root,
    STANDARDS,
    "  target_column: default\n",
    "  target_column: default\n  date_column: day\n",
  );
  await edit(
    root,
    config,
    "  target_column: default",
    "  target_column: default\n  date_column: day",
  );
  const added = await commitAll(root);
  assert.equal(added.code, 1);
  assert.equal(
    added.stderr,
    `${STANDARDS}:${await lineOf(root, STANDARDS, "  date_column: day")}: the reference value of ` +
      `protected field "date_column" is added with "day", but this commit adds no override of ` +
      `"protected.date_column" to "day" in ${LOG}\n` +
      STANDARDS_HINT(
        `with "date_column" in ${STANDARDS} at any value but "day"`,
        'set "protected.date_column" to "day" in the experiment config',
      ) + `\n${REFUSED("1 problem")}`,
  );
  const first = overrideEntry("protected.date_column", "day", "default", await headSha(root));
  await writeFiles(root, { [LOG]: `${first}\n` });
  assert.equal((await commitAll(root, "Protect date_column")).code, 0);

  await edit(root, STANDARDS, "  date_column: day\n", "");
  await edit(root, config, "\n  date_column: day", "");
  const removed = await commitAll(root);
  assert.equal(removed.code, 1);
  assert.ok(
    removed.stderr.startsWith(
      `${STANDARDS}:${await lineOf(
        root,
        STANDARDS,
        "protected_fields:",
      )}: the reference value of ` +
        `protected field "date_column" is removed (it was "day"), but this commit adds no override ` +
        `removing "protected.date_column" in ${LOG}\n` +
        STANDARDS_HINT(
          `with ${STANDARDS} still at "day"`,
          'remove "protected.date_column" from the experiment config',
        ) + "\n" +
        // The config drops a field the standards at HEAD protect, which needs the same approval.
        'configs/experiment.yaml:18: protected field "protected.date_column" is missing, but ' +
        'configs/project_standards.yaml at HEAD requires "day"\n',
    ),
    removed.stderr,
  );
  assert.ok(removed.stderr.endsWith(REFUSED("2 problems")), removed.stderr);
  const second = formatEntry({
    ...JSON.parse(overrideEntry("protected.date_column", null, "day", await headSha(root))),
    prev: lineHash(first),
  });
  await writeFiles(root, { [LOG]: `${first}\n${second}\n` });
  const approved = await commitAll(root, "Unprotect date_column");
  assert.equal(approved.stderr, "");
  assert.equal(approved.code, 0);

  // Deleted from the index only: the hook still finds the project by the file on disk.
  await git(root, ["rm", "-q", "--cached", STANDARDS]);
  const deleted = await git(root, ["commit", "-q", "-m", "No standards"], true);
  assert.equal(deleted.code, 1);
  assert.equal(
    deleted.stderr,
    `${STANDARDS}: the standards file is deleted\n` +
      "  how to proceed: every config is checked against it: restore it " +
      `(\`git checkout HEAD -- ${STANDARDS}\`) and stage it\n${REFUSED("1 problem")}`,
  );
  await Deno.remove(join(root, STANDARDS));
  assert.equal((await commitAll(root)).code, 1);
  assert.equal(await headSubject(root), "Unprotect date_column");
  await Deno.remove(root, { recursive: true });
});

Deno.test("preCommit() refuses an AI agent's change of the approvers, and accepts a person's", async () => {
  const root = await makeProject();
  const key =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPsuTsSm8yDcFHtLlVK8RPyyPdFFOAe1DebrmWanys3b agent";
  await edit(
    root,
    STANDARDS,
    "approvers: []\n",
    `approvers:\n  - identity: agent@bank.test\n    key: "${key}"\n    may: [promotion]\n`,
  );
  await git(root, ["add", STANDARDS]);
  assert.deepEqual(await preCommit(root, { agent: true }), [{
    file: STANDARDS,
    line: await lineOf(root, STANDARDS, "approvers:"),
    message: "an AI agent cannot change approvers: they decide whose SSH signature approves " +
      "an override or a promotion",
    hint: `restore the section (\`git checkout HEAD -- ${STANDARDS}\`, then redo the other ` +
      "edits) and stage it; a person enrolls or removes an approver, through review",
  }]);
  assert.deepEqual(await preCommit(root, { agent: false }), []);
  await Deno.remove(root, { recursive: true });
});

Deno.test("preCommit() refuses an appended approval that is not signed once main lists approvers", async () => {
  const root = await makeProject();
  const key =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPsuTsSm8yDcFHtLlVK8RPyyPdFFOAe1DebrmWanys3b ana";
  await edit(
    root,
    STANDARDS,
    "approvers: []\n",
    `approvers:\n  - identity: ana@example.com\n    key: "${key}"\n    may: [override]\n`,
  );
  assert.equal((await commitAll(root, "Ana approves overrides")).code, 0);
  const head = (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
  await writeFiles(root, {
    [LOG]: `${
      overrideEntry("protected.split_strategy", "temporal_split", "stratified_kfold", head)
    }\n`,
  });
  await git(root, ["add", LOG]);
  assert.deepEqual(await preCommit(root), [{
    file: LOG,
    line: 1,
    message: 'protected_override by "ana@example.com": the override is unsigned, but ' +
      `${STANDARDS} on main at ${head.slice(0, 12)} lists approvers (of an override: ` +
      "ana@example.com): forged, or made by an mlp that does not sign",
    hint: `an approval is written and signed by mlp: restore the log (\`git checkout HEAD -- ` +
      `${LOG}\`) and have an approver run the command with their key (--sign-key)`,
  }]);
  await Deno.remove(root, { recursive: true });
});

Deno.test("preCommit() takes the standards of a first commit, or the first with standards, as they are", async () => {
  const root = await Deno.makeTempDir({ prefix: "mlp-hooks-" });
  await git(root, ["init", "-q", "-b", "main"]);
  const standards = (await Deno.readTextFile(new URL(`../../${STANDARDS}`, import.meta.url)))
    .replace(
      "  target_column: default\n",
      "  target_column: label\n",
    );
  await writeFiles(root, { [STANDARDS]: standards, [LOG]: "" });
  await git(root, ["add", "-A"]);
  assert.deepEqual(await preCommit(root), []);

  await git(root, ["rm", "-q", "--cached", STANDARDS]);
  await git(root, ["commit", "-q", "-m", "Log only"]);
  await git(root, ["add", "-A"]);
  assert.deepEqual(await preCommit(root), []);
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit refuses an invalid experiment config with its line", async () => {
  const root = await makeProject();
  await writeFiles(root, {
    "configs/experiment-small.yaml": EXPERIMENT.replace("max_depth: 6", "max_depth: 600"),
  });
  const result = await commitAll(root);
  assert.equal(result.code, 1);
  const line = EXPERIMENT.split("\n").indexOf("  max_depth: 6") + 1;
  assert.equal(
    result.stderr.split("\n")[0],
    `configs/experiment-small.yaml:${line}: field "hyperparameters.max_depth": 600 is above the maximum 16`,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("the override log: edits, reordering and truncation are caught by the hook and mlp log verify", async () => {
  const root = await makeProject();
  // Real runs, anchored and sealed, so that `mlp log verify` finds each entry's run in the store.
  const uri = `sqlite:///${join(root, "mlflow.db")}`;
  const params = await provingParams(root, "HEAD");
  const tags = { "mlp.config": "configs/experiment.yaml", sandbox: "none" };
  const runIds = await writeMlflowRuns(
    uri,
    [1, 2, 3].map(() => ({ params, tags, status: "RUNNING" as const })),
    undefined,
    join(root, "mlartifacts"),
  );
  const entries: string[] = [];
  for (const n of [1, 2, 3]) {
    entries.push(formatEntry({
      ts: `2026-01-0${n}T00:00:00.000Z`,
      kind: "unsandboxed",
      field: "sandbox",
      old: "landlock",
      new: "none",
      operator: "ana@example.com",
      config: "configs/experiment.yaml",
      reason: `no landlock on host ${n}`,
      commit: "a".repeat(40),
      run_id: runIds[n - 1],
      prev: n === 1 ? GENESIS : lineHash(entries[n - 2]),
    }));
  }
  await sealWithAnchors(
    uri,
    Object.fromEntries(runIds.map((runId, i) => [runId, [lineHash(entries[i])]])),
  );
  const log = "logs/protected_overrides.log";
  await writeFiles(root, { [log]: `${entries.join("\n")}\n` });
  assert.equal((await commitAll(root, "Three entries")).code, 0);
  assert.deepEqual(await mlp(root, ["log", "verify"]), {
    code: 0,
    stdout: `${log}: 3 entries, hash chain intact, anchored in the MLflow store ${
      join(root, "mlflow.db")
    }\n`,
    stderr: "",
  });

  const edited = [entries[0], entries[1].replace("host 2", "host two"), entries[2]];
  await writeFiles(root, { [log]: `${edited.join("\n")}\n` });
  const verified = await mlp(root, ["log", "verify"]);
  assert.equal(verified.code, 1);
  assert.equal(
    verified.stderr,
    `error: ${log} has been tampered with: its hash chain is broken\n` +
      `  - ${log}:3: "prev" does not match line 2: line 2 was edited, or entries between lines 2 and 3 were deleted\n` +
      "hint: restore the log from git history (`git log -p -- logs/protected_overrides.log` shows " +
      "every committed version) and find out who changed it\n",
  );
  const hook = await commitAll(root);
  assert.equal(hook.code, 1);
  assert.equal(
    hook.stderr.split("\n")[0],
    `${log}:2: line 2 of the committed ${log} was changed: the log is append-only`,
  );

  await writeFiles(root, { [log]: `${[entries[0], entries[2], entries[1]].join("\n")}\n` });
  assert.match(
    (await mlp(root, ["log", "verify"])).stderr,
    /:2: "prev" is the hash of line 3, which comes after it: entries were reordered/,
  );
  await writeFiles(root, { [log]: `${entries[0]}\n${entries[1]}\n` });
  assert.match((await commitAll(root)).stderr, /:3: line 3 of the committed .* was removed/);
  await git(root, ["checkout", "HEAD", "--", log]);
  assert.equal((await mlp(root, ["log", "verify"])).code, 0);
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit refuses changing or deleting a dataset and accepts a new, consistent one", async () => {
  const root = await makeProject();
  const data = "a,b\n1,2\n";
  const manifest = `${sha256(data)}  train.csv\n`;
  const dir = `data/shadow/${sha256(manifest)}`;
  await writeFiles(root, { [`${dir}/train.csv`]: data, [`${dir}/MANIFEST.sha256`]: manifest });
  const added = await commitAll(root, "Add dataset");
  assert.equal(added.stderr, "");
  assert.equal(added.code, 0);

  await writeFiles(root, { [`${dir}/train.csv`]: "a,b\n1,3\n" });
  const changed = await commitAll(root);
  assert.equal(changed.code, 1);
  assert.equal(
    changed.stderr.split("\n").slice(0, 2).join("\n"),
    `${dir}/train.csv: a dataset file is changed\n` +
      "  how to proceed: datasets are immutable: restore it (`git checkout HEAD -- <path>`) and " +
      "add changed data as a new dataset with `mlp data add`",
  );
  await git(root, ["checkout", "HEAD", "--", dir]);
  await Deno.remove(join(root, dir, "train.csv"));
  assert.match((await commitAll(root)).stderr, /train\.csv: a dataset file is deleted/);
  await git(root, ["checkout", "HEAD", "--", dir]);

  const forged = `data/shadow/${"f".repeat(64)}`;
  await writeFiles(root, {
    [`${forged}/train.csv`]: data,
    [`${forged}/MANIFEST.sha256`]: manifest,
  });
  assert.equal(
    (await commitAll(root)).stderr.split("\n")[0],
    `${forged}/MANIFEST.sha256: the manifest hashes to "${
      sha256(manifest)
    }", not to its directory name`,
  );
  await Deno.remove(join(root, forged), { recursive: true });
  await writeFiles(root, { [`${dir}/extra.csv`]: data });
  assert.equal(
    (await commitAll(root)).stderr.split("\n")[0],
    `${dir}/extra.csv: a file is added to dataset ${sha256(manifest)}`,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit refuses any reference to data/production in src/", async () => {
  const root = await makeProject();
  await writeFiles(root, {
    "src/helpers.py": 'import os\n\nPATH = os.path.join("data/production", "loans.csv")\n',
    "tests/test_paths.py": "# data/production is never read\n",
  });
  const result = await commitAll(root);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    'src/helpers.py:3: code refers to "data/production": PATH = os.path.join("data/production", "loans.csv")\n' +
      "  how to proceed: runs never read production data; load the verified shadow dataset through " +
      "the platform (dataset_version in the config) and remove the reference\n" +
      REFUSED("1 problem"),
  );
  await Deno.remove(root, { recursive: true });
});

/**
 * Commits `files` (after `prepare`, given the project root) in a new project through the real
 * hooks, asserts that git refused it, and returns git's stderr.
 */
async function refusedCommit(
  files: Record<string, string>,
  prepare?: (root: string) => Promise<void>,
): Promise<string> {
  const root = await makeProject();
  try {
    await writeFiles(root, files);
    await prepare?.(root);
    const result = await commitAll(root);
    assert.equal(result.code, 1, result.stderr);
    return result.stderr;
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("git commit refuses the ways around .fit( and MLflow: NFKC, getattr, aliases, exec, imports by name", async () => {
  const stderr = await refusedCommit({
    "src/features.py": [
      "import functools",
      "import importlib",
      "",
      "",
      "def build_features(df, config):",
      "    model.ｆｉｔ(df, df)",
      '    getattr(model, "fit")(df, df)',
      "    step = functools.partial(model.fit, df)",
      '    exec("model.fit(df, df)")',
      "    exec(config['code'])",
      '    importlib.import_module("mlflow").log_metric("auc", 1.0)',
      "    return cross_val_score(model, df, df)",
      "",
    ].join("\n"),
  });
  assert.equal(
    stderr,
    'src/features.py:6: training call ".fit(" outside `mlp run`: model.ｆｉｔ(df, df)\n' +
      'src/features.py:7: training method "fit" looked up by name outside `mlp run`: ' +
      'getattr(model, "fit")(df, df)\n' +
      'src/features.py:8: training method ".fit" referenced outside `mlp run`: ' +
      "step = functools.partial(model.fit, df)\n" +
      'src/features.py:9: training call ".fit(" in a string run by exec outside `mlp run`: ' +
      'exec("model.fit(df, df)")\n' +
      `${GUARD_HINT}\n` +
      'src/features.py:10: code the guard cannot read, run by "exec(…)": ' +
      "exec(config['code'])\n" +
      "  how to proceed: the training guard checks only code it can read: call the code " +
      "directly, or import it from a .py module with `import`; give exec, eval and compile " +
      "only string literals, or remove them\n" +
      'src/features.py:11: MLflow imported by name with import_module("mlflow") outside ' +
      '`mlp run`: importlib.import_module("mlflow").log_metric("auc", 1.0)\n' +
      'src/features.py:12: training call "cross_val_score" outside `mlp run`: ' +
      "return cross_val_score(model, df, df)\n" +
      `${GUARD_HINT}\n${REFUSED("7 problems")}`,
  );
});

Deno.test("git commit refuses training in a notebook's %time and %%timeit", async () => {
  const stderr = await refusedCommit({
    "notebooks/explore.ipynb": JSON.stringify({
      cells: [
        { cell_type: "code", source: ["%time model.fit(X, y)\n", "model.fit?"] },
        { cell_type: "code", source: ["%%timeit -n 1\n", "est.partial_fit(X)"] },
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    }),
  });
  assert.equal(
    stderr,
    'notebooks/explore.ipynb: cell 1, line 1: training call ".fit(" outside `mlp run`: ' +
      "model.fit(X, y)\n" +
      'notebooks/explore.ipynb: cell 2, line 2: training call ".partial_fit(" outside `mlp run`: ' +
      "est.partial_fit(X)\n" +
      `${GUARD_HINT}\n${REFUSED("2 problems")}`,
  );
});

Deno.test("git commit reads an executable with a Python shebang as Python, whatever its name", async () => {
  const stderr = await refusedCommit({
    "src/retrain": "#!/usr/bin/env python3\nmodel.fit(X, y)\n",
    "bin/report": "#!/bin/sh\necho 'model.fit(X, y)'\n",
    "src/notes.txt": "call model.fit(X, y) in scripts only\n",
  }, async (root) => {
    await Deno.chmod(join(root, "src/retrain"), 0o755);
    await Deno.chmod(join(root, "bin/report"), 0o755);
  });
  assert.equal(
    stderr,
    'src/retrain:2: training call ".fit(" outside `mlp run`: model.fit(X, y)\n' +
      `${GUARD_HINT}\n${REFUSED("1 problem")}`,
  );
});

Deno.test("git commit reads a symlink as its target: a file, a folder, a later change of the target", async () => {
  const root = await makeProject();
  await writeFiles(root, { "scripts/train.py": "def go(model, X, y):\n    model.fit(X, y)\n" });
  await Deno.symlink("../scripts/train.py", join(root, "src/shortcut.py"));
  await Deno.symlink("../scripts", join(root, "src/tools"));
  const refused = await commitAll(root);
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr,
    'src/shortcut.py:2: symlink to "scripts/train.py": training call ".fit(" outside `mlp run`: ' +
      "model.fit(X, y)\n" +
      'src/tools/train.py:2: symlink to "scripts/train.py": training call ".fit(" outside ' +
      "`mlp run`: model.fit(X, y)\n" +
      `${GUARD_HINT}\n${REFUSED("2 problems")}`,
  );

  await writeFiles(root, { "scripts/train.py": "def go(model, X, y):\n    return model\n" });
  assert.equal((await commitAll(root, "Links to a clean script")).code, 0);
  await writeFiles(root, { "scripts/train.py": "def go(model, X, y):\n    model.fit(X, y)\n" });
  const later = await commitAll(root, "Train in the script");
  assert.equal(later.code, 1);
  assert.match(
    later.stderr,
    /^src\/shortcut\.py:2: symlink to "scripts\/train\.py": training call/,
  );
  assert.equal(await headSubject(root), "Links to a clean script");
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit refuses a symlink out of the project, to a file it does not hold, and compiled Python", async () => {
  const root = await makeProject();
  const outside = await Deno.makeTempFile({ suffix: ".py" });
  await Deno.symlink(outside, join(root, "src/elsewhere.py"));
  await Deno.symlink("../notes/untracked.py", join(root, "src/missing.py"));
  await writeFiles(root, { "src/__pycache__/helpers.cpython-311.pyc": "\u0000compiled" });
  const result = await commitAll(root);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    "src/__pycache__/helpers.cpython-311.pyc: compiled Python: Python imports it like a module, " +
      "and the training guard cannot read it\n" +
      "  how to proceed: commit the .py source instead: `git rm --cached " +
      "src/__pycache__/helpers.cpython-311.pyc`, and keep compiled files out of git " +
      "(`__pycache__/` and `*.pyc` in .gitignore)\n" +
      `src/elsewhere.py: symlink to "${outside}", outside the project: the training guard ` +
      "cannot check the code it runs\n" +
      "  how to proceed: commit the file itself rather than a link to it: `git rm --cached " +
      "src/elsewhere.py`, then copy the file into the project\n" +
      'src/missing.py: symlink to "../notes/untracked.py", which the commit does not hold: the ' +
      "training guard cannot check the code it runs\n" +
      "  how to proceed: commit the file itself rather than a link to it: `git rm --cached " +
      "src/missing.py`, then copy the file into the project\n" +
      REFUSED("3 problems"),
  );
  await Deno.remove(outside);
  await Deno.remove(root, { recursive: true });
});

const DATA_HINT = (path: string) =>
  `  how to proceed: store data as a dataset: \`mlp data add ${path}\` copies it into ` +
  "data/shadow/<hash>/ and prints the hash to set as dataset_version; then remove this copy " +
  `(\`git rm --cached ${path}\` and delete the file)`;

Deno.test("git commit refuses data files in src/ and configs/, by extension, naming the file", async () => {
  const files: Record<string, string> = {
    "src/rows.csv": "id,income\n1,100\n",
    "src/cache/frame.PARQUET": "PAR1",
    "configs/lookup.xlsx": "x",
    "configs/old.xls": "x",
    "src/model.pkl": "x",
    "src/model.pickle": "x",
    "src/frame.feather": "x",
    "src/arr.npy": "x",
    "src/arrs.npz": "x",
    "src/store.h5": "x",
    "src/est.joblib": "x",
    "src/rows.csv.gz": "x",
    "data/raw/rows.csv": "id\n1\n",
    "notebooks/sample.csv": "id\n1\n",
    "src/columns.json": "[]\n",
  };
  const stderr = await refusedCommit(files);
  const refused = Object.keys(files).filter((path) => /^(src|configs)\/.*\.(?!json)/.test(path))
    .sort();
  const ext = (path: string) => /(\.[^./]+)(\.gz)?$/.exec(path)![1];
  assert.equal(
    stderr,
    refused.map((path) =>
      `${path}: a data file ("${ext(path)}") in ${path.split("/")[0]}/, which holds ` +
      `code and configs only\n${DATA_HINT(path)}\n`
    ).join("") + REFUSED(`${refused.length} problems`),
  );
});

Deno.test("git commit refuses a file in src/ or configs/ over code_files.max_file_bytes, never loosened by the same commit", async () => {
  const root = await makeProject();
  const standards = await Deno.readTextFile(join(root, "configs/project_standards.yaml"));
  await writeFiles(root, {
    "src/rows.txt": "1,100\n".repeat(40_000),
    "configs/notes.md": "x".repeat(1000),
  });
  const tooBig = await commitAll(root);
  assert.equal(tooBig.code, 1);
  assert.equal(
    tooBig.stderr,
    "src/rows.txt: the file is 240000 bytes, over the limit of 200000 bytes for src/ and " +
      "configs/ (code_files.max_file_bytes in configs/project_standards.yaml)\n" +
      "  how to proceed: src/ and configs/ hold code and configs only: if it is data, store it " +
      "with `mlp data add src/rows.txt` and remove this copy (`git rm --cached src/rows.txt`); " +
      "a larger limit is a reviewed change of code_files.max_file_bytes, committed first\n" +
      REFUSED("1 problem"),
  );
  const raised = standards.replace("max_file_bytes: 200000", "max_file_bytes: 500000");
  assert.notEqual(raised, standards);
  await writeFiles(root, { "configs/project_standards.yaml": raised });
  assert.equal((await commitAll(root)).code, 1);
  await git(root, ["reset", "-q"]);
  await Deno.remove(join(root, "src/rows.txt"));
  assert.equal((await commitAll(root, "Raise the limit")).code, 0);
  await writeFiles(root, { "src/rows.txt": "1,100\n".repeat(40_000) });
  assert.equal((await commitAll(root, "Now it fits")).code, 0);
  await writeFiles(root, { "configs/project_standards.yaml": standards });
  assert.equal((await commitAll(root, "Lower it again")).code, 0);
  await writeFiles(root, { "src/rows.txt": "1,100\n".repeat(40_001) });
  assert.match(
    (await commitAll(root, "Grow it")).stderr,
    /^src\/rows\.txt: the file is 240006 bytes/,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit refuses data/production however src/ spells the path", async () => {
  const lines = [
    "import os",
    "from pathlib import Path",
    "",
    'A = os.path.join("data", "production")',
    'B = Path("data") / "production" / "loans.csv"',
    'C = "data" + "/production"',
    'D = Path("data", "production")',
    'E = "/".join(["data", "production"])',
    'F = os.path.join(ROOT, "./data/", "production/")',
    'G = "da" "ta/prod" "uction"',
    "H = f\"data/{'production'}\"",
    "I = os.path.join(",
    '    "data",',
    '    "production",',
    ")",
    'OK = os.path.join("data", "shadow")',
    'ALSO_OK = ("production", "data")',
    "",
  ];
  const stderr = await refusedCommit({ "src/paths.py": lines.join("\n") });
  const refused = [4, 5, 6, 7, 8, 9, 10, 11, 14];
  assert.equal(
    stderr,
    refused.map((line) =>
      `src/paths.py:${line}: code refers to "data/production": ${lines[line - 1].trim()}\n`
    ).join("") +
      "  how to proceed: runs never read production data; load the verified shadow dataset through " +
      "the platform (dataset_version in the config) and remove the reference\n" +
      REFUSED("9 problems"),
  );
});

// Speed is measured by `make bench` (docs/benchmarks.md), not asserted here.
Deno.test("preCommit() passes 200 staged Python files whose patterns are only in docstrings and comments", async () => {
  const root = await makeProject();
  const files: Record<string, string> = {};
  for (let i = 0; i < 200; i++) {
    files[`src/pkg/module_${i}.py`] = `"""Module ${i}: model.fit(X) in a docstring."""\n` +
      `def f_${i}(x):\n    return [v * ${i} for v in x]  # .fit(\n`.repeat(20);
  }
  await writeFiles(root, files);
  await git(root, ["add", "-A"]);
  assert.deepEqual(await preCommit(root), []);
  await Deno.remove(root, { recursive: true });
});

const COLUMNS_HINT = "  how to proceed: name a column the dataset has, or set dataset_version to " +
  "a dataset that has this one (`mlp data ls` lists them)";

Deno.test("git commit refuses a target or date column the staged dataset lacks, even with the override logged", async () => {
  const root = await makeProject();
  await edit(
    root,
    "configs/experiment.yaml",
    "  target_column: default",
    "  target_column: labl\n  date_column: days",
  );
  await writeFiles(root, {
    [LOG]: `${overrideEntry("protected.target_column", "labl", "default", await headSha(root))}\n`,
  });
  const lists = `data/shadow/${DATASET.hash}/schema.json lists "income", "day", "label", "default"`;
  const result = await commitAll(root);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    'configs/experiment.yaml:20: field "protected.target_column": "labl" is not a column of the ' +
      `dataset: ${lists} (did you mean "label"?)\n` +
      'configs/experiment.yaml:21: field "protected.date_column": "days" is not a column of the ' +
      `dataset: ${lists} (did you mean "day"?)\n${COLUMNS_HINT}\n${REFUSED("2 problems")}`,
  );
  assert.equal(await headSubject(root), "Initial commit");
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit fails closed when the config's dataset is not in the commit", async () => {
  const root = await makeProject();
  const other = testDataset(["income", "default"]);
  await writeFiles(
    root,
    Object.fromEntries(
      Object.entries(other.files).map((
        [path, text],
      ) => [`data/shadow/${other.hash}/${path}`, text]),
    ),
  );
  await edit(root, "configs/experiment.yaml", DATASET.hash, other.hash);
  // The dataset is in the work tree, but the commit would not hold it.
  await git(root, ["add", "configs/experiment.yaml"]);
  const refused = await git(root, ["commit", "-q", "-m", "Other data"], true);
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr,
    `configs/experiment.yaml:4: dataset_version "${other.hash}" names a dataset that is not in ` +
      `the commit: data/shadow/${other.hash}/schema.json is not staged\n` +
      "  how to proceed: datasets under data/shadow/ are committed with the configs that name " +
      `them: stage it (\`git add data/shadow/${other.hash}\`), or set dataset_version to a ` +
      `committed dataset (\`mlp data ls\` lists them)\n${REFUSED("1 problem")}`,
  );
  const accepted = await commitAll(root, "Other data, with the data");
  assert.equal(accepted.stderr, "");
  assert.equal(accepted.code, 0);
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit refuses a config whose dataset's schema.json lists no columns, naming the schema", async () => {
  const root = await makeProject();
  const files = { "t.csv": "a\n1\n", "schema.json": "not json\n" };
  const manifest = formatManifest(
    Object.entries(files).map(([path, text]) => ({ path, sha256: sha256(text) })),
  );
  const dir = `data/shadow/${sha256(manifest)}`;
  await writeFiles(root, {
    [`${dir}/t.csv`]: files["t.csv"],
    [`${dir}/schema.json`]: files["schema.json"],
    [`${dir}/MANIFEST.sha256`]: manifest,
  });
  await edit(root, "configs/experiment.yaml", DATASET.hash, sha256(manifest));
  const result = await commitAll(root);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    new RegExp(`^${dir}/schema\\.json: schema\\.json is not valid JSON: `),
  );
  assert.ok(result.stderr.endsWith(REFUSED("1 problem")), result.stderr);
  await Deno.remove(root, { recursive: true });
});

const CATEGORIES = [
  "feature_addition",
  "feature_transformation",
  "feature_removal",
  "hyperparameter_tuning",
  "regularization",
  "model_architecture",
  "data_cleaning",
  "data_expansion",
  "threshold_tuning",
  "ensemble",
  "pipeline_refactor",
];
/** The reasoning's problem for a hypothesis category outside `categories`. */
const categoryProblem = (value: string, categories = CATEGORIES) =>
  `configs/reasoning.yaml:1: field "hypothesis_category": "${value}" is not allowed: use one of ` +
  `${categories.map((c) => `"${c}"`).join(", ")}\n`;
const REASONING_HINT = "  how to proceed: hypothesis categories come from " +
  "configs/project_standards.yaml; configs/reasoning.schema.json describes every field";

Deno.test("git commit checks every config under configs/ that `mlp run --config` can take: .yml, any name, any folder", async (t) => {
  const root = await makeProject();
  const protectedLine = EXPERIMENT.split("\n").indexOf("  split_strategy: stratified_kfold", 16) +
    1;
  const depthLine = EXPERIMENT.split("\n").indexOf("  max_depth: 6") + 1;
  const protectedChange = EXPERIMENT.replace(
    "protected:\n  metric_definition: roc_auc\n  split_strategy: stratified_kfold",
    "protected:\n  metric_definition: roc_auc\n  split_strategy: temporal_split",
  );
  for (const file of ["configs/experiment.yml", "configs/lags.yaml", "configs/team/b.yml"]) {
    await t.step(`${file}: a protected change is refused`, async () => {
      await writeFiles(root, { [file]: protectedChange });
      const result = await commitAll(root);
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr.split("\n")[0],
        `${file}:${protectedLine}: protected field "protected.split_strategy" is ` +
          `"temporal_split", but configs/project_standards.yaml at HEAD requires "stratified_kfold"`,
      );
      assert.equal(await headSubject(root), "Initial commit");
    });
    await t.step(`${file}: an invalid field is refused`, async () => {
      await writeFiles(root, { [file]: EXPERIMENT.replace("max_depth: 6", "max_depth: 600") });
      const result = await commitAll(root);
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `${file}:${depthLine}: field "hyperparameters.max_depth": 600 is above the maximum 16\n` +
          "  how to proceed: allowed values come from configs/project_standards.yaml; " +
          "configs/experiment.schema.json describes every field\n" + REFUSED("1 problem"),
      );
      await git(root, ["rm", "-q", "--cached", file]);
      await Deno.remove(join(root, file));
    });
  }
  await t.step(
    "a second reasoning file is checked as reasoning, not as an experiment",
    async () => {
      await writeFiles(root, {
        "configs/reasoning-lags.yml": await Deno.readTextFile(join(root, "configs/reasoning.yaml")),
      });
      const valid = await commitAll(root, "Second reasoning");
      assert.equal(valid.stderr, "");
      assert.equal(valid.code, 0);
      await writeFiles(root, { "configs/reasoning-lags.yml": "hypothesis_category: vibes\n" });
      const invalid = await commitAll(root);
      assert.equal(invalid.code, 1);
      assert.equal(
        invalid.stderr.split("\n").slice(0, 2).join("\n"),
        'configs/reasoning-lags.yml:1: field "change_description" is missing: write a string\n' +
          'configs/reasoning-lags.yml:1: field "hypothesis_category": "vibes" is not allowed: use ' +
          `one of ${CATEGORIES.map((c) => `"${c}"`).join(", ")}`,
      );
      assert.ok(invalid.stderr.endsWith(REFUSED("2 problems")), invalid.stderr);
    },
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit refuses an invalid configs/reasoning.yaml, listing each problem with file:line", async () => {
  const root = await makeProject();
  await Deno.writeFile(
    join(root, "configs/reasoning.yaml"),
    new Uint8Array([0x9c, 0x00, 0xff, 0x3a, 0x20, 0x07, 0x0a, 0x1b, 0x5b]),
  );
  const bytes = await commitAll(root);
  assert.equal(bytes.code, 1);
  assert.equal(
    bytes.stderr,
    "configs/reasoning.yaml:2: Invalid YAML: Implicit map keys need to be followed by map values\n" +
      `  how to proceed: fix the YAML syntax at the position shown\n${REFUSED("1 problem")}`,
  );

  await writeFiles(root, {
    "configs/reasoning.yaml": "hypothesis_category: vibes\nchange_description: ' '\nmood: good\n",
  });
  const invalid = await commitAll(root);
  assert.equal(invalid.code, 1);
  assert.equal(
    invalid.stderr,
    categoryProblem("vibes") +
      'configs/reasoning.yaml:2: field "change_description": " " is empty: say what was changed ' +
      "and why\n" +
      'configs/reasoning.yaml:3: field "mood" is not allowed here: use one of ' +
      '"hypothesis_category", "change_description", "expected_effect"\n' +
      `${REASONING_HINT}\n${REFUSED("3 problems")}`,
  );

  await git(root, ["rm", "-q", "-f", "configs/reasoning.yaml"]);
  const deleted = await git(root, ["commit", "-q", "-m", "No reasoning"], true);
  assert.equal(deleted.code, 1);
  assert.equal(
    deleted.stderr,
    "configs/reasoning.yaml: the reasoning file is deleted, and `mlp run` reads it\n" +
      "  how to proceed: restore it (`git checkout HEAD -- configs/reasoning.yaml`) and stage it: " +
      `every run records why it was made\n${REFUSED("1 problem")}`,
  );
  assert.equal(await headSubject(root), "Initial commit");
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit checks the reasoning against staged standards that drop its category", async () => {
  const root = await makeProject();
  await edit(root, STANDARDS, "  - regularization\n", "");
  const result = await commitAll(root);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    categoryProblem("regularization", CATEGORIES.filter((c) => c !== "regularization")) +
      `${REASONING_HINT}\n${REFUSED("1 problem")}`,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("the hook and mlp validate print the same line for a changed protected field, and both accept the logged override", async () => {
  const root = await makeProject();
  await edit(root, "configs/experiment.yaml", "  target_column: default", "  target_column: label");
  const refused = await commitAll(root);
  assert.equal(refused.code, 1);
  const line =
    'configs/experiment.yaml:20: protected field "protected.target_column" is "label", ' +
    'but configs/project_standards.yaml at HEAD requires "default"';
  assert.equal(refused.stderr.split("\n")[0], line);
  const validated = await mlp(root, ["validate"]);
  assert.equal(validated.code, 1);
  assert.equal(validated.stderr.split("\n")[1], `  - ${line}`);

  await writeFiles(root, {
    [LOG]: `${overrideEntry("protected.target_column", "label", "default", await headSha(root))}\n`,
  });
  const approved = await mlp(root, ["validate"]);
  assert.equal(approved.code, 0, approved.stderr);
  assert.ok(approved.stderr.startsWith(`note: ${line}: approved by ${LOG}:1 `), approved.stderr);
  const committed = await commitAll(root, "Target is label, approved");
  assert.equal(committed.stderr, "");
  assert.equal(committed.code, 0);
  await Deno.remove(root, { recursive: true });
});

/** The full SHA of HEAD. */
async function headSha(root: string): Promise<string> {
  return (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
}

const RECALL_LINE = 'configs/experiment.yaml:18: protected field "protected.metric_definition" ' +
  'is "recall", but configs/project_standards.yaml at HEAD requires "roc_auc"';

/** Sets the protected metric and the evaluation metric that must equal it. */
async function setMetric(root: string, from: string, to: string): Promise<void> {
  await edit(root, "configs/experiment.yaml", `  metric: ${from}`, `  metric: ${to}`);
  await edit(
    root,
    "configs/experiment.yaml",
    `  metric_definition: ${from}`,
    `  metric_definition: ${to}`,
  );
}

Deno.test("git commit compares protected fields with the standards at HEAD, not the staged ones", async () => {
  const root = await makeProject();
  await edit(root, STANDARDS, "metric_definition: roc_auc", "metric_definition: recall");
  await setMetric(root, "roc_auc", "recall");
  // The standards change is approved by an entry, but the entry is of another run's change
  // (a commit that is not HEAD): it approves neither the standards nor the config.
  await writeFiles(root, {
    [LOG]: `${overrideEntry("protected.metric_definition", "recall", "roc_auc")}\n`,
  });
  const refused = await commitAll(root);
  assert.equal(refused.code, 1);
  const lines = refused.stderr.split("\n");
  assert.ok(lines.includes(RECALL_LINE), refused.stderr);
  assert.match(
    refused.stderr,
    /changes from "roc_auc" to "recall", but this commit adds no override/,
  );
  assert.equal(await headSubject(root), "Initial commit");
  await Deno.remove(root, { recursive: true });
});

Deno.test("git commit: an override entry approves one change at the commit it ran at, not a later one", async () => {
  const root = await makeProject();
  const a0 = await headSha(root);
  await setMetric(root, "roc_auc", "recall");
  const entry = overrideEntry("protected.metric_definition", "recall", "roc_auc", a0);
  // An entry of the same change made at another commit approves nothing.
  await writeFiles(root, {
    [LOG]: `${overrideEntry("protected.metric_definition", "recall", "roc_auc")}\n`,
  });
  const stale = await commitAll(root, "A");
  assert.equal(stale.code, 1);
  assert.equal(stale.stderr.split("\n")[0], RECALL_LINE);
  assert.match(
    stale.stderr,
    /logs\/protected_overrides\.log:1 approves "recall" at commit a{12}, not at HEAD \w{12}: an entry approves one change, in the commit made on top of the commit it ran at/,
  );
  await writeFiles(root, { [LOG]: `${entry}\n` });
  const approved = await commitAll(root, "A: recall, approved");
  assert.equal(approved.stderr, "");
  assert.equal(approved.code, 0);

  // Unchanged since the approved commit: later commits carry it.
  await writeFiles(root, { "src/helpers.py": "def lag(x):\n    return x + 0\n" });
  assert.equal((await commitAll(root, "A+1: unrelated")).code, 0);

  await setMetric(root, "recall", "roc_auc");
  assert.equal((await commitAll(root, "B: back to roc_auc")).code, 0);
  await setMetric(root, "roc_auc", "recall");
  const again = await commitAll(root, "C: recall again");
  assert.equal(again.code, 1);
  assert.equal(again.stderr.split("\n")[0], RECALL_LINE);
  assert.equal(await headSubject(root), "B: back to roc_auc");
  const validated = await mlp(root, ["validate"]);
  assert.equal(validated.code, 1);
  assert.equal(validated.stderr.split("\n")[1], `  - ${RECALL_LINE}`);
  await Deno.remove(root, { recursive: true });
});

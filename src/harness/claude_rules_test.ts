import assert from "node:assert/strict";
import { protectedReference } from "../config/protected.ts";
import { parseStandards } from "../config/standards.ts";
import {
  decideToolCall,
  type HookInput,
  parseHookInput,
  type RuleContext,
} from "./claude_rules.ts";
import { formatRefusals } from "./refusal.ts";

const ROOT = "/work/acme";
const standards = parseStandards(
  await Deno.readTextFile(new URL("../../configs/project_standards.yaml", import.meta.url)),
  "configs/project_standards.yaml",
);
const EXPERIMENT = await Deno.readTextFile(
  new URL("../config/testdata/experiment.yaml", import.meta.url),
);
const FEATURES = "def build_features(df, params):\n    return df.select_dtypes('number')\n";
const MODEL = "from xgboost import XGBClassifier\n\n" +
  "def build_model(model_type, hyperparameters, random_seed):\n" +
  "    return XGBClassifier(**hyperparameters, random_state=random_seed)\n";

const FILES: Record<string, string> = {
  [`${ROOT}/configs/experiment.yaml`]: EXPERIMENT,
  [`${ROOT}/src/features.py`]: FEATURES,
  [`${ROOT}/src/model.py`]: MODEL,
  [`${ROOT}/scripts/plot.py`]: "import matplotlib\n",
  [`${ROOT}/tests/test_model.py`]: "def test_fit(model):\n    model.fit([[1]], [0])\n",
  ["/tmp/train.py"]: "from sklearn.linear_model import LogisticRegression\n" +
    "LogisticRegression().fit([[1]], [0])\n",
  ["/tmp/run.sh"]: "#!/bin/sh\ngit commit --no-verify -m wip\n",
  [`${ROOT}/data/link.csv`]: "a,b\n",
};
const LINKS: Record<string, string> = {
  [`${ROOT}/data/link.csv`]: `${ROOT}/data/production/loans.csv`,
};

const context: RuleContext = {
  root: ROOT,
  readText: (path) => FILES[path] ?? null,
  realPath: (path) => LINKS[path] ?? path,
  reference: () => protectedReference(standards, standards, "configs/project_standards.yaml"),
};

/** Hook input as Claude Code writes it (hooks reference, PreToolUse input). */
function input(tool: string, toolInput: Record<string, unknown>, cwd = ROOT): HookInput {
  const parsed = parseHookInput(JSON.stringify({
    session_id: "abc123",
    prompt_id: "p-1",
    transcript_path: "/home/u/.claude/projects/-work-acme/abc123.jsonl",
    cwd,
    permission_mode: "default",
    hook_event_name: "PreToolUse",
    tool_name: tool,
    tool_input: toolInput,
    tool_use_id: "toolu_01ABC123",
  }));
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
}

function bash(command: string, cwd = ROOT): HookInput {
  return input("Bash", { command, description: "run it", timeout: 120000 }, cwd);
}

/** The reason the hook prints, or "allowed". */
function reason(call: HookInput): string {
  const decision = decideToolCall(call, context);
  return decision.allow ? "allowed" : formatRefusals(decision.refusals);
}

const PROTECTED_HINT = "  how to proceed: agents do not change protected fields: restore the " +
  "reference value. Only a person approves a change, by running it with " +
  '`mlp run --override-protected --reason "<why>"`, which logs it to logs/protected_overrides.log';
const TRAINING_HINT = "  how to proceed: models are trained only by " +
  "`mlp run --config configs/experiment.yaml`, which fits what src/model.py builds: change src/ " +
  "or the config and run that";
const HOOKS_HINT = "  how to proceed: the git hooks run mlp's checks on every commit and merge: " +
  "run git without it, fix what a hook refuses, and never skip or redirect the hooks";
const ENV_HINT = "  how to proceed: run the command with the environment Claude Code gives it: " +
  "mlp and the git hooks read these variables to know that an agent runs them";
const PRODUCTION_HINT = "  how to proceed: agents never read production data: work with the " +
  "shadow dataset through `mlp run` (dataset_version in the config), and `mlp data describe` " +
  "for its columns";
const SCRIPT_HINT = "  how to proceed: project code runs only inside " +
  "`mlp run --config configs/experiment.yaml`; run tests with `uv run pytest tests/`, and put " +
  "utilities in scripts/";

Deno.test("ordinary edits, runs, tests and commits are allowed", () => {
  const allowed = [
    input("Edit", {
      file_path: `${ROOT}/src/features.py`,
      old_string: "return df.select_dtypes('number')",
      new_string: "return df.select_dtypes('number').fillna(0)",
      replace_all: false,
    }),
    input("Edit", {
      file_path: `${ROOT}/configs/experiment.yaml`,
      old_string: "max_depth: 6",
      new_string: "max_depth: 4",
      replace_all: false,
    }),
    input("MultiEdit", {
      file_path: `${ROOT}/configs/experiment.yaml`,
      edits: [{ old_string: "max_depth: 6", new_string: "max_depth: 5" }, {
        old_string: "random_seed: 42",
        new_string: "random_seed: 7",
      }],
    }),
    input("Write", { file_path: `${ROOT}/src/features.py`, content: `${FEATURES}# tidy\n` }),
    input("Write", { file_path: `${ROOT}/tests/test_fit.py`, content: "m.fit(X, y)\n" }),
    input("Read", { file_path: `${ROOT}/data/shadow/abc/MANIFEST.sha256` }),
    input("Read", { file_path: `${ROOT}/src/model.py`, offset: 1, limit: 20 }),
    input("Grep", { pattern: "fit", path: `${ROOT}/src` }),
    input("TodoWrite", { todos: [] }),
    bash("mlp run --config configs/experiment.yaml"),
    bash("uv run pytest tests/"),
    bash("uv run python -m pytest -q tests/test_model.py"),
    bash("uv run python scripts/plot.py"),
    bash("git commit -m x"),
    bash('git add src/features.py && git commit -m "Lag features" -m "MLflow-Run: 3f2a"'),
    bash("git commit -m 'no -n and no --force here'"),
    bash("git notes --ref=mlflow show HEAD"),
    bash("git push -u origin feature/lags"),
    bash("git config --get mlp.path"),
    bash("ls data/ && mlp data ls && mlp data describe"),
    bash("python -c 'print(1 + 1)'"),
    bash("echo $CLAUDECODE"),
  ];
  for (const call of allowed) {
    assert.equal(reason(call), "allowed", JSON.stringify(call.tool_input));
  }
});

Deno.test("an edit that changes a protected field is blocked, naming the field and the override", () => {
  const edit = input("Edit", {
    file_path: `${ROOT}/configs/experiment.yaml`,
    old_string: "split_strategy: stratified_kfold\n  target_column",
    new_string: "split_strategy: temporal_split\n  target_column",
    replace_all: false,
  });
  assert.equal(
    reason(edit),
    'configs/experiment.yaml:19: the edit changes a protected field: protected field "protected.split_strategy" is "temporal_split", but configs/project_standards.yaml at HEAD requires "stratified_kfold"\n' +
      PROTECTED_HINT,
  );
  const write = input("Write", {
    file_path: `${ROOT}/configs/experiment_f1.yaml`,
    content: EXPERIMENT.replaceAll("roc_auc", "f1"),
  });
  assert.equal(
    reason(write),
    'configs/experiment_f1.yaml:18: the edit changes a protected field: protected field "protected.metric_definition" is "f1", but configs/project_standards.yaml at HEAD requires "roc_auc"\n' +
      PROTECTED_HINT,
  );
  const all = input("Edit", {
    file_path: `${ROOT}/configs/experiment.yaml`,
    old_string: "default",
    new_string: "defaulted",
    replace_all: true,
  });
  assert.match(reason(all), /"protected\.target_column" is "defaulted"/);
});

Deno.test("an edit that leaves a config unparseable is blocked", () => {
  const edit = input("Edit", {
    file_path: `${ROOT}/configs/experiment.yaml`,
    old_string: "protected:",
    new_string: "protected: [",
  });
  assert.match(
    reason(edit),
    /^configs\/experiment\.yaml: after the edit the file is not valid YAML/,
  );
});

Deno.test("a training call written into src/ is blocked, but one already there does not block", () => {
  const edit = input("Edit", {
    file_path: `${ROOT}/src/model.py`,
    old_string: "    return XGBClassifier(**hyperparameters, random_state=random_seed)\n",
    new_string: "    model = XGBClassifier(**hyperparameters, random_state=random_seed)\n" +
      "    model.fit(X, y)\n    return model\n",
  });
  assert.equal(
    reason(edit),
    'src/model.py:5: training call ".fit(" outside `mlp run`: model.fit(X, y)\n' +
      "  how to proceed: models are trained and logged only by `mlp run`, which fits the " +
      "estimator that src/model.py builds: return an unfitted estimator and leave the fitting " +
      "to the run",
  );
  const logging = input("Write", {
    file_path: `${ROOT}/src/features.py`,
    content: `import mlflow\n${FEATURES}mlflow.log_metric("auc", 1)\n`,
  });
  assert.match(reason(logging), /^src\/features\.py:4: MLflow call "mlflow\.log_metric"/);
  const production = input("Write", {
    file_path: `${ROOT}/src/features.py`,
    content: `${FEATURES}P = "data/production/loans.csv"\n`,
  });
  assert.match(reason(production), /^src\/features\.py:3: code refers to "data\/production"/);
  const notebook = input("NotebookEdit", {
    notebook_path: `${ROOT}/src/explore.ipynb`,
    new_source: "model.fit(X, y)",
    cell_id: "c1",
    edit_mode: "replace",
  });
  assert.match(reason(notebook), /^src\/explore\.ipynb \(the edited cell\):1: training call/);
});

Deno.test("edits of data, logs, the standards, the hooks, .claude/ and the CI check are blocked", () => {
  const cases: [string, string][] = [
    [
      "data/shadow/abc/applications.parquet",
      "datasets are immutable: a new one is added with `mlp data add`",
    ],
    ["logs/protected_overrides.log", "only mlp writes the logs (the override log is hash-chained)"],
    [
      "configs/project_standards.yaml",
      "the standards are the project's rulebook: changes need the project owner",
    ],
    [".githooks/pre-commit", "the git hooks run mlp's checks: only a person changes them"],
    [".claude/settings.json", "the agent's settings and hooks are set by a person"],
    [
      ".github/workflows/mlp.yml",
      "the required CI check runs mlp's merge proof: only a person changes it",
    ],
    [".gitlab-ci.yml", "the required CI check runs mlp's merge proof: only a person changes it"],
    [
      "scripts/ci/mlp_check.sh",
      "the required CI check runs mlp's merge proof: only a person changes it",
    ],
  ];
  for (const [path, why] of cases) {
    assert.equal(
      reason(input("Write", { file_path: `${ROOT}/${path}`, content: "x" })),
      `${path}: agents do not edit ${path}: ${why}\n  how to proceed: leave the file as it is; ` +
        "if it must change, ask a person in the conversation to do it",
    );
  }
  assert.equal(
    reason(input("Write", { file_path: `${ROOT}/data/production/x.csv`, content: "x" })),
    `data/production/x.csv: the edit writes production data\n${PRODUCTION_HINT}`,
  );
});

Deno.test("reading production data is blocked, directly, through a link, or searched", () => {
  const read = input("Read", { file_path: `${ROOT}/data/production/loans.csv` });
  assert.equal(
    reason(read),
    `data/production/loans.csv: agents do not read production data\n${PRODUCTION_HINT}`,
  );
  const relative = input("Read", { file_path: "production/loans.csv" }, `${ROOT}/data`);
  assert.match(reason(relative), /^data\/production\/loans\.csv: agents do not read/);
  const link = input("Read", { file_path: `${ROOT}/data/link.csv` });
  assert.match(reason(link), /^data\/production\/loans\.csv: agents do not read/);
  const grep = input("Grep", { pattern: "x", path: `${ROOT}/data/production` });
  assert.match(reason(grep), /^data\/production: agents do not search production data/);
});

Deno.test("Bash commands that train outside mlp run are blocked", () => {
  assert.equal(
    reason(
      bash(`python -c "from sklearn.linear_model import LogisticRegression as L; L().fit(X, y)"`),
    ),
    'Bash: training call ".fit(" outside `mlp run` in `python -c`: from sklearn.linear_model ' +
      `import LogisticRegression as L; L().fit(X, y)\n${TRAINING_HINT}`,
  );
  assert.equal(
    reason(bash("uv run python src/model.py")),
    `Bash: src/model.py is project code run directly, outside \`mlp run\`\n${SCRIPT_HINT}`,
  );
  assert.equal(
    reason(bash("python train.py")),
    `Bash: train.py is project code run directly, outside \`mlp run\`\n${SCRIPT_HINT}`,
  );
  assert.equal(
    reason(bash("cd src && ./model.py")),
    `Bash: src/model.py is project code run directly, outside \`mlp run\`\n${SCRIPT_HINT}`,
  );
  assert.equal(
    reason(bash("uv run python -m src.model")),
    "Bash: src/model.py is project code run directly by `python -m src.model`, outside " +
      "`mlp run`\n  how to proceed: project code runs only inside " +
      "`mlp run --config configs/experiment.yaml`",
  );
  assert.equal(
    reason(bash("python /tmp/train.py")),
    'Bash: /tmp/train.py:2: training call ".fit(" outside `mlp run`: ' +
      `LogisticRegression().fit([[1]], [0]) (run by \`python /tmp/train.py\`)\n${TRAINING_HINT}`,
  );
  for (
    const command of [
      "cd /tmp && timeout 600 nohup uv run --with pandas python -c 'import m; m.fit(X)' &",
      "echo ok; bash -c \"python3 -c 'import mlflow; mlflow.start_run()'\"",
      "X=$(python -c 'm.fit(X)') && echo $X",
      "echo `python -c 'getattr(m, \"fit\")(X)'`",
      "env FOO=1 python3.11 -Bc 'm.partial_fit(X)'",
      "eval \"python -c 'm.fit(X)'\"",
    ]
  ) {
    assert.match(
      reason(bash(command)),
      /^Bash: training (call|method)|^Bash: MLflow call/,
      command,
    );
  }
  assert.match(
    reason(bash("python - <<'EOF'\nimport m\nm.fit(X)\nEOF")),
    /^Bash: Python reads its code from stdin/,
  );
  assert.match(reason(bash("cat t.py | python")), /^Bash: Python reads its code from stdin/);
  assert.match(reason(bash("mlflow run .")), /^Bash: `mlflow run` trains outside `mlp run`/);
  assert.match(
    reason(bash("uv run jupyter nbconvert --to notebook --execute src/explore.ipynb")),
    /^Bash: src\/explore\.ipynb is project code run directly/,
  );
  assert.match(reason(bash("jupyter lab --no-browser")), /^Bash: `jupyter lab` runs code/);
  assert.equal(reason(bash("uv run jupyter nbconvert --to html tests/report.ipynb")), "allowed");
});

Deno.test("Bash commands that skip or redirect the git hooks are blocked", () => {
  const cases: [string, string][] = [
    ["git commit --no-verify -m x", "`git commit --no-verify` skips the git hooks"],
    ["git merge --no-verify feature/x", "`git merge --no-verify` skips the git hooks"],
    ["git commit --no-ver -m x", "`git commit --no-ver` skips the git hooks"],
    ["git commit -n -m x", "`git commit -n` skips the git hooks"],
    ["git commit -anm x", "`git commit -n` skips the git hooks"],
    [
      "git -c core.hooksPath=/dev/null commit -m x",
      "`git -c core.hooksPath=/dev/null` redirects the git hooks",
    ],
    ["git config core.hooksPath .", "`git config core.hooksPath` changes which hooks run"],
    ["git config --local mlp.path /bin/true", "`git config mlp.path` changes which hooks run"],
    [
      "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.hooksPath GIT_CONFIG_VALUE_0=/x git commit -m x",
      "the command sets GIT_CONFIG_COUNT, which can redirect the git hooks",
    ],
    ["git push --force origin main", "a forced push rewrites history the merge gate has proven"],
    ["git push -f", "a forced push rewrites history the merge gate has proven"],
    ["git push origin +main", "a forced push rewrites history the merge gate has proven"],
    ["git update-ref refs/heads/main HEAD~1", "`git update-ref` moves refs around the hooks"],
  ];
  for (const [command, message] of cases) {
    const hint = message.startsWith("a forced push")
      ? "  how to proceed: push without force; to change a pushed branch, add a commit"
      : message.startsWith("`git update-ref`")
      ? "  how to proceed: change branches with `git switch` and `git commit`, which the hooks check"
      : HOOKS_HINT;
    const lines = reason(bash(command)).split("\n");
    assert.deepEqual([lines[0], lines.at(-1)], [`Bash: ${message}`, hint], command);
  }
  assert.equal(
    reason(bash("git notes --ref=mlflow add -f -m 3f2a HEAD")),
    "Bash: `git notes add` edits the git notes that tie commits to MLflow runs\n" +
      "  how to proceed: only `mlp run` writes notes; read them with `git notes --ref=mlflow show`",
  );
  assert.match(reason(bash("bash /tmp/run.sh")), /^Bash: `git commit --no-verify` skips/);
});

Deno.test("Bash commands that clear the agent's environment around mlp are blocked", () => {
  assert.equal(
    reason(bash("env -u CLAUDECODE mlp run")),
    `Bash: \`env -u CLAUDECODE\` removes CLAUDECODE\n${ENV_HINT}`,
  );
  assert.equal(
    reason(bash("env -i PATH=$PATH mlp run")),
    "Bash: `env -i` clears the environment, and with it MLP_AGENT, CLAUDECODE, CODEX_SANDBOX, " +
      `CODEX_CI, CLAUDE_CODE_SESSION_ID\n${ENV_HINT}`,
  );
  assert.equal(
    reason(bash("unset CLAUDECODE; mlp run")),
    `Bash: \`unset\` removes CLAUDECODE\n${ENV_HINT}`,
  );
  assert.equal(
    reason(bash("CLAUDECODE=0 git commit -m x")),
    `Bash: the command sets CLAUDECODE\n${ENV_HINT}`,
  );
  assert.equal(
    reason(bash("export MLP_AGENT=0 && mlp promote 3f2a")),
    `Bash: the command sets MLP_AGENT\n${ENV_HINT}`,
  );
  assert.match(reason(bash("env --unset=CODEX_CI mlp run")), /^Bash: `env -u CODEX_CI` removes/);
});

Deno.test("Bash commands that write configs, code or protected files are blocked", () => {
  const WRITE = "  how to proceed: change the file with the Edit or Write tool, which mlp checks " +
    "before the change (protected fields, training calls)";
  assert.equal(
    reason(bash("sed -i 's/stratified_kfold/temporal_split/' configs/experiment.yaml")),
    `Bash: the command writes configs/experiment.yaml, which mlp checks only in an edit\n${WRITE}`,
  );
  assert.equal(
    reason(bash("cat > src/train.py <<'EOF'\nmodel.fit(X, y)\nEOF")),
    `Bash: the command writes src/train.py, which mlp checks only in an edit\n${WRITE}`,
  );
  assert.equal(
    reason(bash("cp /tmp/other.yaml configs/experiment.yaml")),
    `Bash: the command writes configs/experiment.yaml, which mlp checks only in an edit\n${WRITE}`,
  );
  assert.equal(
    reason(bash("echo '{}' >> logs/protected_overrides.log")),
    "Bash: agents do not edit logs/protected_overrides.log: only mlp writes the logs (the " +
      "override log is hash-chained)\n  how to proceed: leave the file as it is; if it must " +
      "change, ask a person in the conversation to do it",
  );
  assert.match(
    reason(bash("rm -rf data/shadow/abc")),
    /^Bash: agents do not edit data\/shadow\/abc/,
  );
  for (
    const command of [
      "echo hi > /tmp/out.txt",
      "uv run ruff format src/",
      "sed -n 1,5p configs/experiment.yaml",
      "git diff | tee /tmp/diff.txt",
      "cp configs/experiment.yaml /tmp/",
    ]
  ) {
    assert.equal(reason(bash(command)), "allowed", command);
  }
});

Deno.test("Bash commands that touch production data are blocked", () => {
  for (
    const command of [
      "cat data/production/loans.csv",
      "head -n 5 ./data//production/loans.csv",
      "cd data && cat production/loans.csv",
      `cp ${ROOT}/data/production/loans.csv /tmp/`,
      "ls data/prod*",
      "python -c \"import pandas; pandas.read_csv('data/' + 'production/x.csv')\"",
      'wc -l < "data/production/x.csv"',
    ]
  ) {
    assert.match(reason(bash(command)), /^Bash: .*production/, command);
  }
  assert.equal(
    reason(bash("cat data/production/loans.csv")),
    `Bash: the command names production data: data/production/loans.csv\n${PRODUCTION_HINT}`,
  );
});

Deno.test("parseHookInput() refuses what is not PreToolUse hook input", () => {
  assert.equal(
    parseHookInput("{"),
    "stdin is not JSON (Expected property name or '}' in JSON at position 1 (line 1 column 2))",
  );
  assert.equal(
    parseHookInput(
      JSON.stringify({
        session_id: "s",
        hook_event_name: "PostToolUse",
        cwd: "/p",
        tool_name: "Bash",
        tool_input: {},
      }),
    ),
    'hook_event_name: Invalid input: expected "PreToolUse"',
  );
  assert.equal(
    parseHookInput(
      JSON.stringify({
        session_id: "s",
        hook_event_name: "PreToolUse",
        cwd: "/p",
        tool_name: "Bash",
        tool_input: {},
      }),
    ),
    "Bash: tool_input.command: Invalid input: expected string, received undefined",
  );
  assert.equal(
    parseHookInput(
      JSON.stringify({
        session_id: "s",
        hook_event_name: "PreToolUse",
        cwd: "p",
        tool_name: "Read",
        tool_input: {},
      }),
    ),
    "cwd: must be an absolute path",
  );
});

/**
 * The Claude Code hook of a generated project: the PreToolUse command of its
 * `.claude/settings.json`, run as Claude Code runs it (`sh -c`, the hook input on stdin,
 * CLAUDE_PROJECT_DIR set), decides with the real `mlp hook claude` the hooks install recorded.
 */
import { equal } from "node:assert/strict";
import { join } from "node:path";
import { createProject, type Output, testEnv } from "../support/project.ts";

Deno.test("the template's PreToolUse hook blocks what the rules refuse and allows the rest", async (t) => {
  const project = await createProject({ rows: 500 });
  const root = project.root;
  const settings = JSON.parse(await Deno.readTextFile(join(root, ".claude/settings.json")));
  const command: string = settings.hooks.PreToolUse[0].hooks[0].command;

  /** Runs the hook command as Claude Code does, with `stdin` as the hook input. */
  const hook = async (stdin: string): Promise<Output> => {
    const child = new Deno.Command("sh", {
      args: ["-c", command],
      cwd: root,
      env: testEnv({ CLAUDE_PROJECT_DIR: root, CLAUDECODE: "1" }),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
    const out = await child.output();
    const text = new TextDecoder();
    return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
  };
  const call = (tool: string, toolInput: Record<string, unknown>) =>
    hook(JSON.stringify({
      session_id: "5f0c7a2e-1b2d-4c3e-9f8a-0a1b2c3d4e5f",
      transcript_path: "/home/u/.claude/projects/-p/5f0c7a2e.jsonl",
      cwd: root,
      permission_mode: "default",
      hook_event_name: "PreToolUse",
      tool_name: tool,
      tool_input: toolInput,
      tool_use_id: "toolu_01ABC123",
    }));
  const blocked = "error: mlp blocked this %s call: the reasons are above\n" +
    "hint: follow the advice above; the rules are in AGENTS.md\n";

  await t.step(
    "an edit of a protected field is blocked with the field and the override",
    async () => {
      const config = await Deno.readTextFile(join(root, "configs/experiment.yaml"));
      const line =
        config.split("\n").findLastIndex((l) => l === "  split_strategy: stratified_kfold") +
        1;
      const out = await call("Edit", {
        file_path: join(root, "configs/experiment.yaml"),
        old_string: "split_strategy: stratified_kfold",
        new_string: "split_strategy: temporal_split",
        replace_all: true,
      });
      equal(out.code, 2);
      equal(
        out.stderr,
        `configs/experiment.yaml:${line}: the edit changes a protected field: protected field ` +
          '"protected.split_strategy" is "temporal_split", but configs/project_standards.yaml at ' +
          'HEAD requires "stratified_kfold"\n' +
          "  how to proceed: agents do not change protected fields: restore the reference value. " +
          "Only a person approves a change, by running it with " +
          '`mlp run --override-protected --reason "<why>"`, which logs it to ' +
          "logs/protected_overrides.log\n" + blocked.replace("%s", "Edit"),
      );
    },
  );

  await t.step("ordinary edits and commands are allowed, silently", async () => {
    for (
      const out of [
        await call("Edit", {
          file_path: join(root, "configs/experiment.yaml"),
          old_string: "random_seed: 42",
          new_string: "random_seed: 7",
          replace_all: false,
        }),
        await call("Write", {
          file_path: join(root, "src/features.py"),
          content: (await Deno.readTextFile(join(root, "src/features.py"))) + "\n# tidy\n",
        }),
        await call("Bash", { command: "uv run pytest tests/", description: "Run the tests" }),
        await call("Bash", { command: "mlp run --config configs/experiment.yaml" }),
        await call("Bash", { command: 'git commit -m "Lag features"' }),
      ]
    ) {
      equal(out.code, 0, out.stderr);
      equal(out.stderr, "");
    }
  });

  await t.step("a training call written into src/ is blocked", async () => {
    const out = await call("Write", {
      file_path: join(root, "src/shortcut.py"),
      content: "def train(model, X, y):\n    model.fit(X, y)\n",
    });
    equal(out.code, 2);
    equal(
      out.stderr,
      'src/shortcut.py:2: training call ".fit(" outside `mlp run`: model.fit(X, y)\n' +
        "  how to proceed: models are trained and logged only by `mlp run`, which fits the " +
        "estimator that src/model.py builds: return an unfitted estimator and leave the " +
        "fitting to the run\n" + blocked.replace("%s", "Write"),
    );
  });

  await t.step(
    "Bash that skips the hooks, trains, or unsets the agent's variables is blocked",
    async () => {
      const cases: [string, string][] = [
        [
          "git commit --no-verify -m wip",
          "Bash: `git commit --no-verify` skips the git hooks\n  how to proceed: the git hooks run " +
          "mlp's checks on every commit and merge: run git without it, fix what a hook refuses, " +
          "and never skip or redirect the hooks\n",
        ],
        [
          "uv run python src/model.py",
          "Bash: src/model.py is project code run directly, outside `mlp run`\n  how to proceed: " +
          "project code runs only inside `mlp run --config configs/experiment.yaml`; run tests " +
          "with `uv run pytest tests/`, and put utilities in scripts/\n",
        ],
        [
          "env -u CLAUDECODE mlp run",
          "Bash: `env -u CLAUDECODE` removes CLAUDECODE\n  how to proceed: run the command with " +
          "the environment Claude Code gives it: mlp and the git hooks read these variables to " +
          "know that an agent runs them\n",
        ],
      ];
      for (const [bash, reason] of cases) {
        const out = await call("Bash", { command: bash });
        equal(out.code, 2, bash);
        equal(out.stderr, reason + blocked.replace("%s", "Bash"), bash);
      }
    },
  );

  await t.step("reading production data is blocked", async () => {
    const out = await call("Read", { file_path: join(root, "data/production/loans.csv") });
    equal(out.code, 2);
    equal(
      out.stderr,
      "data/production/loans.csv: agents do not read production data\n  how to proceed: agents " +
        "never read production data: work with the shadow dataset through `mlp run` " +
        "(dataset_version in the config), and `mlp data describe` for its columns\n" +
        blocked.replace("%s", "Read"),
    );
  });

  await t.step("input that is not PreToolUse JSON is blocked (fail closed)", async () => {
    const out = await hook("not json");
    equal(out.code, 2);
    equal(
      out.stderr,
      "error: the hook input is not Claude Code's PreToolUse JSON: stdin is not JSON " +
        `(Unexpected token 'o', "not json" is not valid JSON)\n` +
        "hint: run this only as the PreToolUse hook of .claude/settings.json\n",
    );
  });

  await t.step("a recorded mlp that cannot run blocks every call", async () => {
    const recorded = (await project.git(["config", "--local", "--get", "mlp.path"])).stdout.trim();
    await project.git(["config", "--local", "mlp.path", join(root, "missing-mlp")]);
    try {
      const out = await call("Bash", { command: "ls" });
      equal(out.code, 2);
      equal(
        out.stderr.split("\n").at(-2),
        `mlp hook claude (${join(root, "missing-mlp")}) exited 127, so the tool call is ` +
          "blocked: run `mlp hooks install` in the project",
      );
    } finally {
      await project.git(["config", "--local", "mlp.path", recorded]);
    }
  });
});

/**
 * Agent cost on real runs (issue 8, item 4): the cost flags, the Claude Code transcript read from
 * a fake HOME, and the weekly budget's refusal. A real template project, real git, uv, MLflow;
 * results read back with the official MLflow client.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { join } from "node:path";
import { isoWeek, weekStart } from "../../src/cost/aggregate.ts";
import { createProject, type TestProject } from "../support/project.ts";

const SESSION = "5f0c7a2e-1b2d-4c3e-9f8a-0a1b2c3d4e5f";
const FIXTURE = new URL("../../src/cost/testdata/claude", import.meta.url).pathname;
const HOME = Deno.env.get("HOME") ?? "/root";

/** No agent variable of the environment the tests run in reaches a person's run. */
const PERSON = {
  CLAUDECODE: "",
  CLAUDE_CODE_SESSION_ID: "",
  MLP_AGENT: "",
  CODEX_SANDBOX: "",
  CODEX_CI: "",
};

/** The agent params of a run as the MLflow client reads them back. */
async function agentParams(project: TestProject, runId: string): Promise<Record<string, string>> {
  const run = await project.readRun(runId);
  equal(run.status, "FINISHED");
  return Object.fromEntries(
    Object.entries(run.params).filter(([key]) => key.startsWith("agent.")),
  );
}

function runIdOf(stdout: string): string {
  const id = stdout.trim().split("\n").at(-1) ?? "";
  match(id, /^[0-9a-f]{32}$/);
  return id;
}

Deno.test("agent cost: flags, the session transcript, and the weekly budget", async (t) => {
  const project = await createProject({ rows: 2000 });
  await project.edit("configs/experiment.yaml", "n_splits: 5", "n_splits: 2");

  await t.step("invalid cost flags are refused before anything is recorded", async () => {
    const out = await project.mlp(["run", "--tokens-used=-3"], { env: PERSON });
    equal(out.code, 2);
    equal(
      out.stderr,
      'error: --tokens-used "-3" is not a non-negative integer\n' +
        "hint: give the tokens the agent used since its previous run, e.g. --tokens-used 125000\n",
    );
    const cost = await project.mlp(["run", "--estimated-cost", "ten"], { env: PERSON });
    equal(cost.code, 2);
    equal(
      cost.stderr.split("\n")[0],
      'error: --estimated-cost "ten" is not a non-negative amount of US dollars',
    );
    deepEqual(await project.runs(), []);
  });

  await t.step("the flags are logged as agent.* params", async () => {
    const out = await project.mlp([
      "run",
      "--tokens-used",
      "5000",
      "--estimated-cost",
      "1.25",
      "--agent-model",
      "claude-sonnet-4-5",
    ], { env: PERSON });
    equal(out.code, 0, out.stderr);
    deepEqual(await agentParams(project, runIdOf(out.stdout)), {
      "agent.source": "flags",
      "agent.model": "claude-sonnet-4-5",
      "agent.tokens.total": "5000",
      "agent.cost_usd": "1.25",
    });
  });

  // Claude Code's environment, with HOME a folder that holds the fixture as ~/.claude; Deno and
  // uv keep their own caches.
  const home = await Deno.makeTempDir({ prefix: "mlp-e2e-home-" });
  await new Deno.Command("cp", { args: ["-R", FIXTURE, join(home, ".claude")] }).output();
  const claude = {
    HOME: home,
    CLAUDECODE: "1",
    CLAUDE_CODE_SESSION_ID: SESSION,
    MLP_OPERATOR: "agent:claude-code",
    DENO_DIR: Deno.env.get("DENO_DIR") ?? join(HOME, ".cache/deno"),
    UV_CACHE_DIR: Deno.env.get("UV_CACHE_DIR") ?? join(HOME, ".cache/uv"),
    UV_PYTHON_INSTALL_DIR: Deno.env.get("UV_PYTHON_INSTALL_DIR") ??
      join(HOME, ".local/share/uv/python"),
  };

  await t.step("under Claude Code, the session's transcript is read and priced", async () => {
    const out = await project.mlp(["run"], { env: claude });
    equal(out.code, 0, out.stderr);
    const params = await agentParams(project, runIdOf(out.stdout));
    match(params["agent.duration_s"], /^\d+(\.\d+)?$/);
    delete params["agent.duration_s"];
    deepEqual(params, {
      "agent.source": "transcript",
      "agent.session_id": SESSION,
      "agent.model": "claude-opus-4-5-20251101,claude-haiku-4-5-20251001",
      "agent.tokens.input": "158",
      "agent.tokens.output": "432",
      "agent.tokens.cache_read": "6503",
      "agent.tokens.cache_write": "704",
      "agent.tokens.total": "7797",
      "agent.cost_usd": "0.017116",
    });
    const main = join(home, ".claude/projects/-work-acme-churn", `${SESSION}.jsonl`);
    const lines = out.stderr.split("\n");
    equal(
      lines.filter((line) => line.includes(SESSION) && line.includes("warning")).join("\n"),
      `mlp: warning: ${main}:4: not a JSON object: line skipped`,
    );
    equal(
      lines.filter((line) => line.startsWith("mlp: agent cost")).join("\n"),
      "mlp: agent cost since the session's start: 7797 tokens in 5 messages, $0.017116",
    );
    const state = JSON.parse(
      await Deno.readTextFile(join(project.root, ".mlp/agent_sessions", `${SESSION}.json`)),
    );
    equal(state.session_id, SESSION);
    match(state.counted_until, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  await t.step("the session's next run counts only what came after the previous one", async () => {
    const out = await project.mlp(["run"], { env: claude });
    equal(out.code, 0, out.stderr);
    const params = await agentParams(project, runIdOf(out.stdout));
    equal(params["agent.source"], "transcript");
    equal(params["agent.tokens.total"], "0");
    equal(params["agent.cost_usd"], "0");
    equal(params["agent.model"], undefined);
    match(out.stderr, /mlp: agent cost since its previous run: 0 tokens in 0 messages, \$0\n/);
  });

  await t.step("an agent's run is refused once the week's spend exceeds the ceiling", async () => {
    await project.edit("configs/project_standards.yaml", "weekly_usd: 100", "weekly_usd: 2");
    // Standing in for the reviewed change of the standards.
    await project.git([
      "commit",
      "--quiet",
      "--no-verify",
      "-m",
      "Agent budget: 2 USD a week",
      "--",
      "configs/project_standards.yaml",
    ]);
    const agent = { ...PERSON, MLP_AGENT: "1", MLP_OPERATOR: "agent:codex" };
    const spend = await project.mlp(["run", "--tokens-used", "100", "--estimated-cost", "2.5"], {
      env: agent,
    });
    equal(spend.code, 0, spend.stderr);
    const before = await project.runs();
    equal(before.length, 4);

    const refused = await project.mlp(["run"], { env: agent });
    equal(refused.code, 1);
    const now = Date.now();
    const monday = new Date(weekStart(now) + 7 * 86_400_000).toISOString().slice(0, 10);
    equal(
      refused.stderr.split("\n").filter((line) => /^(error|hint):/.test(line)).join("\n"),
      `error: Agent budget exceeded: "acme_bank/credit_risk" has recorded $3.77 of agent spend ` +
        `in ISO week ${isoWeek(now)}, over its ceiling of $2.00 (agent_budget.weekly_usd in ` +
        "configs/project_standards.yaml)\n" +
        "hint: nothing was recorded. A person can raise the ceiling in a reviewed change of " +
        "configs/project_standards.yaml (agent_budget.weekly_usd), or run the experiment " +
        `themselves; the week's spend starts again from $0.00 on Monday ${monday} 00:00 UTC ` +
        "(`mlp cost --by week`)",
    );
    equal(refused.stdout, "");
    deepEqual(await project.runs(), before);

    const person = await project.mlp(["run"], { env: PERSON });
    equal(person.code, 0, person.stderr);
    deepEqual(await agentParams(project, runIdOf(person.stdout)), {});
  });

  await t.step("mlp cost sums the project's recorded spend", async () => {
    const out = await project.mlp(["cost", "--by", "project", "--format", "json"], { env: PERSON });
    equal(out.code, 0, out.stderr);
    deepEqual(JSON.parse(out.stdout), [
      {
        project: "acme_bank/credit_risk",
        runs: 4,
        unpriced_runs: 0,
        tokens: 5000 + 7797 + 0 + 100,
        cost_usd: 3.767116,
      },
    ]);
  });
});

import { deepEqual, equal, throws } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../errors.ts";
import { parseStandards } from "../config/standards.ts";
import { parseCostFlags } from "./agent_params.ts";
import { resolveAgentCost } from "./agent_cost.ts";

const SESSION = "5f0c7a2e-1b2d-4c3e-9f8a-0a1b2c3d4e5f";
const FIXTURE = fileURLToPath(new URL("./testdata/claude", import.meta.url));
const PRICING = parseStandards(
  await Deno.readTextFile(new URL("../../configs/project_standards.yaml", import.meta.url)),
  "configs/project_standards.yaml",
).agent_pricing;
const at = (time: string) => Date.parse(`2026-12-01T${time}Z`);

/** A fake HOME holding the fixture as `~/.claude`, and a project root. */
async function setup(): Promise<{ home: string; root: string }> {
  const home = await Deno.makeTempDir({ prefix: "mlp-cost-home-" });
  const root = await Deno.makeTempDir({ prefix: "mlp-cost-project-" });
  await new Deno.Command("cp", { args: ["-R", FIXTURE, join(home, ".claude")] }).output();
  return { home, root };
}

const claudeEnv = (home: string) => ({
  HOME: home,
  CLAUDECODE: "1",
  CLAUDE_CODE_SESSION_ID: SESSION,
});

Deno.test("a Claude Code run is charged its session's tokens since the session's previous run", async () => {
  const { home, root } = await setup();
  const first = await resolveAgentCost({
    root,
    env: claudeEnv(home),
    agent: true,
    flags: {},
    pricing: PRICING,
    now: at("10:30:00"),
  });
  deepEqual(first.params, {
    "agent.source": "transcript",
    "agent.session_id": SESSION,
    "agent.model": "claude-opus-4-5-20251101,claude-haiku-4-5-20251001",
    "agent.tokens.input": "150",
    "agent.tokens.output": "130",
    "agent.tokens.cache_read": "3500",
    "agent.tokens.cache_write": "300",
    "agent.tokens.total": "4080",
    // From the first message (10:00:05) to now.
    "agent.duration_s": "1795",
    // opus 110*5 + 70*25 + 3000*0.5 + 200*6.25 = 5050; haiku 40 + 300 + 50 + 125 = 515
    "agent.cost_usd": "0.005565",
  });
  const main = join(home, ".claude/projects/-work-acme-churn", `${SESSION}.jsonl`);
  deepEqual(first.notes, [
    `mlp: warning: ${main}:4: not a JSON object: line skipped`,
    "mlp: agent cost since the session's start: 4080 tokens in 3 messages, $0.005565",
  ]);
  await first.markCounted!();
  deepEqual(
    JSON.parse(await Deno.readTextFile(join(root, ".mlp/agent_sessions", `${SESSION}.json`))),
    { session_id: SESSION, counted_until: "2026-12-01T10:30:00.000Z" },
  );

  const second = await resolveAgentCost({
    root,
    env: claudeEnv(home),
    agent: true,
    flags: {},
    pricing: PRICING,
    now: at("12:00:00"),
  });
  deepEqual(second.params, {
    "agent.source": "transcript",
    "agent.session_id": SESSION,
    "agent.model": "claude-opus-4-5-20251101,claude-haiku-4-5-20251001",
    "agent.tokens.input": "8",
    "agent.tokens.output": "302",
    "agent.tokens.cache_read": "3003",
    "agent.tokens.cache_write": "404",
    "agent.tokens.total": "3717",
    "agent.duration_s": "5400",
    // opus 7*5 + 300*25 + 3000*0.5 + 400*6.25 = 11535; haiku 1 + 10 + 0.3 + 5 = 16.3 -> 16
    "agent.cost_usd": "0.011551",
  });
  equal(
    second.notes.at(-1),
    "mlp: agent cost since its previous run: 3717 tokens in 2 messages, $0.011551",
  );
});

Deno.test("flags win over the transcript, and still consume the session's window", async () => {
  const { home, root } = await setup();
  const cost = await resolveAgentCost({
    root,
    env: claudeEnv(home),
    agent: true,
    flags: { tokensUsed: 5000, estimatedCost: 1.25, agentModel: "claude-sonnet-4-5" },
    pricing: PRICING,
    now: at("10:30:00"),
  });
  deepEqual(cost.params, {
    "agent.source": "flags",
    "agent.model": "claude-sonnet-4-5",
    "agent.tokens.total": "5000",
    "agent.cost_usd": "1.25",
    "agent.session_id": SESSION,
  });
  deepEqual(cost.notes, []);
  await cost.markCounted!();
  const next = await resolveAgentCost({
    root,
    env: claudeEnv(home),
    agent: true,
    flags: {},
    pricing: PRICING,
    now: at("10:45:00"),
  });
  equal(next.params["agent.tokens.total"], "0");
  equal(next.params["agent.cost_usd"], "0");
  equal(next.params["agent.model"], undefined);
});

Deno.test("a person's run without flags has no agent params; a person's flags are recorded", async () => {
  const { root } = await setup();
  const base = { root, env: {}, agent: false, pricing: PRICING, now: at("10:30:00") };
  const none = await resolveAgentCost({ ...base, flags: {} });
  deepEqual(none, { params: {}, notes: [] });
  const flagged = await resolveAgentCost({ ...base, flags: { estimatedCost: 0.5 } });
  deepEqual(flagged.params, { "agent.source": "flags", "agent.cost_usd": "0.5" });
  equal(flagged.markCounted, undefined);
});

Deno.test("an unreadable or missing transcript is recorded unavailable, with the reason", async () => {
  const { home, root } = await setup();
  const base = { root, agent: true, flags: {}, pricing: PRICING, now: at("10:30:00") };
  const codex = await resolveAgentCost({ ...base, env: { CODEX_SANDBOX: "seatbelt" } });
  deepEqual(codex.params, { "agent.source": "unavailable" });
  deepEqual(codex.notes, [
    "mlp: agent cost unavailable: only Claude Code's transcripts can be read (CLAUDECODE=1); " +
    "recorded agent.source=unavailable (give --tokens-used N --estimated-cost USD to record it)",
  ]);
  const other = "11111111-2222-4333-8444-555555555555";
  const missing = await resolveAgentCost({
    ...base,
    env: { ...claudeEnv(home), CLAUDE_CODE_SESSION_ID: other },
  });
  deepEqual(missing.params, { "agent.source": "unavailable", "agent.session_id": other });
  equal(
    missing.notes[0],
    `mlp: agent cost unavailable: no transcript "${other}.jsonl" in any folder of "${
      join(home, ".claude/projects")
    }"; recorded agent.source=unavailable (give --tokens-used N --estimated-cost USD to record it)`,
  );
  equal(missing.markCounted, undefined);
  // A folder that cannot be listed (root reads any file, so a file where a folder must be).
  const subagents = join(home, ".claude/projects/-work-acme-churn", SESSION, "subagents");
  await Deno.remove(subagents, { recursive: true });
  await Deno.writeTextFile(subagents, "");
  const unreadable = await resolveAgentCost({ ...base, env: claudeEnv(home) });
  deepEqual(unreadable.params, { "agent.source": "unavailable", "agent.session_id": SESSION });
  equal(
    unreadable.notes[0].replace(/: Not a directory.*?;/, ": Not a directory;"),
    `mlp: agent cost unavailable: cannot read "${subagents}": Not a directory; recorded ` +
      "agent.source=unavailable (give --tokens-used N --estimated-cost USD to record it)",
  );
  const traversal = await resolveAgentCost({
    ...base,
    env: { ...claudeEnv(home), CLAUDE_CODE_SESSION_ID: "../../etc/passwd" },
  });
  deepEqual(traversal.params, {
    "agent.source": "unavailable",
    "agent.session_id": "../../etc/passwd",
  });
});

Deno.test("parseCostFlags() accepts non-negative figures and names a bad one", () => {
  deepEqual(parseCostFlags({ tokensUsed: "125000", estimatedCost: "1.25", agentModel: "m" }), {
    tokensUsed: 125000,
    estimatedCost: 1.25,
    agentModel: "m",
  });
  deepEqual(parseCostFlags({ tokensUsed: "0" }), { tokensUsed: 0 });
  const refuses = (text: Parameters<typeof parseCostFlags>[0], message: string, hint: string) =>
    throws(() => parseCostFlags(text), (error: unknown) => {
      equal((error as InputError).constructor, InputError);
      equal((error as InputError).message, message);
      equal((error as InputError).hint, hint);
      return true;
    });
  const tokensHint =
    "give the tokens the agent used since its previous run, e.g. --tokens-used 125000";
  refuses({ tokensUsed: "-5" }, '--tokens-used "-5" is not a non-negative integer', tokensHint);
  refuses({ tokensUsed: "1.5" }, '--tokens-used "1.5" is not a non-negative integer', tokensHint);
  refuses(
    { tokensUsed: "99999999999999999999" },
    '--tokens-used "99999999999999999999" is not a non-negative integer',
    tokensHint,
  );
  const costHint =
    "give the estimate in dollars, digits and a decimal point: --estimated-cost 1.25";
  for (const bad of ["-1", "Infinity", "NaN", "1e400", "$3", ""]) {
    refuses(
      { estimatedCost: bad },
      `--estimated-cost "${bad}" is not a non-negative amount of US dollars`,
      costHint,
    );
  }
  refuses(
    { agentModel: "claude-opus-4-5" },
    "--agent-model is only used with --tokens-used or --estimated-cost",
    "add the figures it qualifies: --tokens-used N --estimated-cost USD --agent-model M",
  );
});

/**
 * What an agent's run cost, for `mlp run`: from the flags when given (they win), else from the
 * Claude Code session's transcript when Claude Code runs mlp, else unavailable for an agent and
 * nothing for a person. Reading the transcript never fails a run: whatever goes wrong is a line on
 * stderr and `agent.source=unavailable`. The rules are in docs/cost.md.
 *
 * @module
 */
import type { AgentPrice } from "../config/standards.ts";
import {
  type CostFlags,
  flagParams,
  hasCostFlags,
  transcriptParams,
  unavailableParams,
} from "./agent_params.ts";
import { claudeConfigDir, readSessionUsage } from "./session_files.ts";
import { readCountedUntil, writeCountedUntil } from "./session_state.ts";
import { tallyWindow, totalTokens } from "./transcript.ts";
import { formatUsd } from "./pricing.ts";

/** What `mlp run` logs and says about the agent's cost. */
export interface AgentCost {
  /** The `agent.*` params; empty for a person's run without flags. */
  params: Record<string, string>;
  /** Lines for stderr (why a figure is missing, a skipped transcript line, the figures). */
  notes: string[];
  /**
   * Once the run is created in MLflow: records that the session's messages up to now are counted,
   * so that the session's next run counts only what follows. Absent without a session.
   */
  markCounted?: () => Promise<void>;
}

/** Inputs of {@linkcode resolveAgentCost}. */
export interface AgentCostInputs {
  root: string;
  env: Record<string, string | undefined>;
  /** Whether the operator is an agent (`isAgentOperator`). */
  agent: boolean;
  flags: CostFlags;
  pricing: Readonly<Record<string, AgentPrice>>;
  /** The end of the run's window (ms since the epoch): normally now. */
  now: number;
}

/** Claude Code runs mlp: it sets CLAUDECODE=1 for its Bash tool's commands. */
function isClaudeCode(env: Record<string, string | undefined>): boolean {
  return env.CLAUDECODE === "1";
}

/** Resolves the run's agent cost; never throws for a transcript that cannot be read. */
export async function resolveAgentCost(inputs: AgentCostInputs): Promise<AgentCost> {
  const { root, env, now } = inputs;
  const sessionId = env.CLAUDE_CODE_SESSION_ID?.trim() || null;
  const claude = isClaudeCode(env);
  const markCounted = claude && sessionId !== null
    ? () => writeCountedUntil(root, sessionId, now)
    : undefined;
  if (hasCostFlags(inputs.flags)) {
    // Flags win; the session's window is consumed all the same, or the next run would count it.
    return {
      params: flagParams(inputs.flags, claude ? sessionId : null),
      notes: [],
      markCounted,
    };
  }
  if (!inputs.agent && !claude) return { params: {}, notes: [] };
  const unavailable = (reason: string): AgentCost => ({
    params: unavailableParams(claude ? sessionId : null),
    notes: [
      `mlp: agent cost unavailable: ${reason}; recorded agent.source=unavailable ` +
      "(give --tokens-used N --estimated-cost USD to record it)",
    ],
  });
  if (!claude) return unavailable("only Claude Code's transcripts can be read (CLAUDECODE=1)");
  if (sessionId === null) return unavailable("CLAUDE_CODE_SESSION_ID is not set");
  const configDir = claudeConfigDir(env);
  if (configDir === null) return unavailable("neither CLAUDE_CONFIG_DIR nor HOME is set");
  const usage = await readSessionUsage(configDir, sessionId);
  if ("unavailable" in usage) return unavailable(usage.unavailable);

  const notes = usage.problems.map((p) =>
    `mlp: warning: ${p.file}:${p.line}: ${p.message}: line skipped`
  );
  const previous = await readCountedUntil(root, sessionId);
  let after: number | null = null;
  if (typeof previous === "number") after = previous;
  else if (previous !== null) {
    notes.push(`mlp: warning: ${previous.problem}: counting from the session's start`);
  }
  const window = { after, until: now };
  const tally = tallyWindow(usage.usages, window);
  const result = transcriptParams(tally, window, sessionId, inputs.pricing);
  for (const model of result.unpriced) {
    notes.push(
      `mlp: warning: model "${model}" has no price in agent_pricing ` +
        "(configs/project_standards.yaml): agent.cost_usd is not recorded; add the model's prices",
    );
  }
  const tokens = Object.values(tally.byModel).reduce((sum, t) => sum + totalTokens(t), 0);
  notes.push(
    `mlp: agent cost since ${after === null ? "the session's start" : "its previous run"}: ` +
      `${tokens} tokens in ${tally.messages} messages` +
      (result.costUsd === null ? "" : `, $${formatUsd(result.costUsd)}`),
  );
  return { params: result.params, notes, markCounted };
}

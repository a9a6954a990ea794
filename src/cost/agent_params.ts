/**
 * The Tier 3 params of a run (`agent.*`, docs/cost.md), built from the run's flags or from the
 * tally of its Claude Code session's transcript. Pure: src/cost/agent_cost.ts gathers the inputs.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import type { AgentPrice } from "../config/standards.ts";
import { formatUsd, priceTally } from "./pricing.ts";
import { type Tally, totalTokens } from "./transcript.ts";

/** Where a run's agent figures come from (`agent.source`). */
export type AgentSource = "flags" | "transcript" | "unavailable";

/** `mlp run --tokens-used N --estimated-cost USD --agent-model M`, validated. */
export interface CostFlags {
  tokensUsed?: number;
  estimatedCost?: number;
  agentModel?: string;
}

/** The flags as the command line gives them (text). */
export interface CostFlagText {
  tokensUsed?: string;
  estimatedCost?: string;
  agentModel?: string;
}

/**
 * Checks the cost flags: a non-negative integer of tokens, a non-negative finite dollar amount,
 * a model only beside one of them.
 *
 * @throws {InputError} naming the flag and the value.
 */
export function parseCostFlags(text: CostFlagText): CostFlags {
  const flags: CostFlags = {};
  if (text.tokensUsed !== undefined) {
    const value = text.tokensUsed.trim();
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new InputError(`--tokens-used "${text.tokensUsed}" is not a non-negative integer`, {
        hint: "give the tokens the agent used since its previous run, e.g. --tokens-used 125000",
      });
    }
    flags.tokensUsed = Number(value);
  }
  if (text.estimatedCost !== undefined) {
    const value = text.estimatedCost.trim();
    if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(Number(value))) {
      throw new InputError(
        `--estimated-cost "${text.estimatedCost}" is not a non-negative amount of US dollars`,
        { hint: "give the estimate in dollars, digits and a decimal point: --estimated-cost 1.25" },
      );
    }
    flags.estimatedCost = Number(value);
  }
  if (text.agentModel !== undefined) {
    if (text.agentModel.trim() === "") {
      throw new InputError("--agent-model is empty", {
        hint: "name the model the agent ran on, e.g. --agent-model claude-opus-4-5",
      });
    }
    if (flags.tokensUsed === undefined && flags.estimatedCost === undefined) {
      throw new InputError("--agent-model is only used with --tokens-used or --estimated-cost", {
        hint: "add the figures it qualifies: --tokens-used N --estimated-cost USD --agent-model M",
      });
    }
    flags.agentModel = text.agentModel.trim();
  }
  return flags;
}

/** True when the command line gave any agent figure. */
export function hasCostFlags(flags: CostFlags): boolean {
  return flags.tokensUsed !== undefined || flags.estimatedCost !== undefined;
}

/** The params of a run whose figures come from its flags. */
export function flagParams(flags: CostFlags, sessionId: string | null): Record<string, string> {
  const params: Record<string, string> = { "agent.source": "flags" };
  if (flags.agentModel !== undefined) params["agent.model"] = flags.agentModel;
  if (flags.tokensUsed !== undefined) params["agent.tokens.total"] = String(flags.tokensUsed);
  if (flags.estimatedCost !== undefined) {
    params["agent.cost_usd"] = formatUsd(flags.estimatedCost);
  }
  if (sessionId !== null) params["agent.session_id"] = sessionId;
  return params;
}

/** The params of a run whose figures are unavailable. */
export function unavailableParams(sessionId: string | null): Record<string, string> {
  return {
    "agent.source": "unavailable",
    ...(sessionId === null ? {} : { "agent.session_id": sessionId }),
  };
}

/** The params of a run counted from its session's transcript, and the models without a price. */
export function transcriptParams(
  tally: Tally,
  window: { after: number | null; until: number },
  sessionId: string,
  pricing: Readonly<Record<string, AgentPrice>>,
): { params: Record<string, string>; costUsd: number | null; unpriced: string[] } {
  const sum = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  for (const tokens of Object.values(tally.byModel)) {
    sum.input += tokens.input;
    sum.output += tokens.output;
    sum.cacheRead += tokens.cacheRead;
    sum.cacheWrite += tokens.cacheWrite;
  }
  // The model that did most of the work first; every model of the window is named.
  const models = Object.entries(tally.byModel)
    .sort(([a, x], [b, y]) => totalTokens(y) - totalTokens(x) || a.localeCompare(b))
    .map(([model]) => model);
  const priced = priceTally(tally.byModel, pricing);
  const start = window.after ?? tally.firstTimestamp ?? window.until;
  const params: Record<string, string> = {
    "agent.source": "transcript",
    "agent.session_id": sessionId,
    ...(models.length > 0 ? { "agent.model": models.join(",") } : {}),
    "agent.tokens.input": String(sum.input),
    "agent.tokens.output": String(sum.output),
    "agent.tokens.cache_read": String(sum.cacheRead),
    "agent.tokens.cache_write": String(sum.cacheWrite),
    "agent.tokens.total": String(totalTokens(sum)),
    "agent.duration_s": String(Math.max(0, window.until - start) / 1000),
  };
  const costUsd = priced.unpriced.length === 0 ? priced.costUsd : null;
  if (costUsd !== null) params["agent.cost_usd"] = formatUsd(costUsd);
  return { params, costUsd, unpriced: priced.unpriced };
}

/**
 * Pricing tokens from the standards' `agent_pricing` table (USD per million tokens, per model).
 * Pure. The table lives in configs/project_standards.yaml, so a price change is a reviewed
 * change of the standards, never a change of mlp.
 *
 * @module
 */
import type { AgentPrice } from "../config/standards.ts";
import type { Tokens } from "./transcript.ts";

/**
 * The table's entry for `model`: the key equal to it, else the longest key that `model` extends
 * after a `-` (so `claude-sonnet-4-5` prices `claude-sonnet-4-5-20250929`, and a dated id never
 * lands on a neighbouring model such as `claude-sonnet-4`). `null` when none matches.
 *
 * @example Usage
 * ```ts
 * import { priceKey } from "./pricing.ts";
 * priceKey("claude-sonnet-4-5-20250929", { "claude-sonnet-4": {}, "claude-sonnet-4-5": {} });
 * // => "claude-sonnet-4-5"
 * ```
 */
export function priceKey(model: string, table: Readonly<Record<string, unknown>>): string | null {
  if (Object.hasOwn(table, model)) return model;
  let best: string | null = null;
  for (const key of Object.keys(table)) {
    if (model.startsWith(`${key}-`) && (best === null || key.length > best.length)) best = key;
  }
  return best;
}

/**
 * The cost in USD of `tokens` at `price`, rounded to a millionth of a dollar (the precision
 * `agent.cost_usd` is logged with): each kind of token times its rate per million.
 *
 * @example Usage
 * ```ts
 * import { costUsd } from "./pricing.ts";
 * costUsd(
 *   { input: 1_000_000, output: 100_000, cacheRead: 0, cacheWrite: 0 },
 *   { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
 * );
 * // => 4.5
 * ```
 */
export function costUsd(tokens: Tokens, price: AgentPrice): number {
  // Token counts times rates with at most a few decimals: summed in micro-dollars first, so the
  // result is the exact sum rounded once.
  const micro = tokens.input * price.input + tokens.output * price.output +
    tokens.cacheRead * price.cache_read + tokens.cacheWrite * price.cache_write;
  return Math.round(micro) / 1_000_000;
}

/** The cost of every model's tokens, and the models the table has no price for. */
export function priceTally(
  byModel: Readonly<Record<string, Tokens>>,
  table: Readonly<Record<string, AgentPrice>>,
): { costUsd: number; unpriced: string[] } {
  let micro = 0;
  const unpriced: string[] = [];
  for (const [model, tokens] of Object.entries(byModel)) {
    const key = priceKey(model, table);
    if (key === null) unpriced.push(model);
    else micro += Math.round(costUsd(tokens, table[key]) * 1_000_000);
  }
  return { costUsd: micro / 1_000_000, unpriced };
}

/** A dollar amount as `agent.cost_usd` logs it: at most six decimals, no trailing zeros. */
export function formatUsd(value: number): string {
  return String(Number(value.toFixed(6)));
}

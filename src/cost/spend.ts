/**
 * The agent spend the store holds: one record per run that carries `agent.source`, read through
 * the tracking readers (the SQLite file read-only, or a tracking server over REST).
 *
 * @module
 */
import type { RunReader, RunRecord } from "../tracking/run_record.ts";

/** What one run recorded of its agent's cost. */
export interface SpendRecord {
  runId: string;
  client: string;
  project: string;
  /** `agent.source`: flags, transcript or unavailable. */
  source: string;
  /** `agent.model`, or `(unknown)` when the run names none. */
  model: string;
  /** `agent.tokens.total`, or `null` when not recorded. */
  tokens: number | null;
  /** `agent.cost_usd`, or `null` when not recorded. */
  costUsd: number | null;
  /** The run's start (ms since the epoch); the week it is charged to. */
  startTime: number;
}

/** A model name for runs whose agent.model is not recorded. */
export const UNKNOWN_MODEL = "(unknown)";

/** The spend record of a run, or `null` for a run without `agent.source` (not an agent's). */
export function spendRecord(run: RunRecord): SpendRecord | null {
  const source = run.params["agent.source"];
  if (source === undefined) return null;
  const number = (key: string) => {
    const text = run.params[key];
    const value = text === undefined || text.trim() === "" ? NaN : Number(text);
    return Number.isFinite(value) && value >= 0 ? value : null;
  };
  return {
    runId: run.runId,
    client: run.tags.client_name ?? "",
    project: run.tags.project_name ?? "",
    source,
    model: run.params["agent.model"] || UNKNOWN_MODEL,
    tokens: number("agent.tokens.total"),
    costUsd: number("agent.cost_usd"),
    startTime: run.startTime ?? 0,
  };
}

/**
 * Every agent run's spend in the store, oldest first; deleted runs count too (what was spent was
 * spent, and deleting a run must not lift a budget).
 */
export async function readSpend(reader: RunReader): Promise<SpendRecord[]> {
  const runs = await reader.findRunsWithParam("agent.source");
  return runs.map(spendRecord).filter((record): record is SpendRecord => record !== null);
}

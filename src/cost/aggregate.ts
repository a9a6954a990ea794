/**
 * `mlp cost`'s arithmetic: ISO weeks and the sums of recorded spend by project, client, week or
 * model. Pure.
 *
 * @module
 */
import type { SpendRecord } from "./spend.ts";

const DAY = 86_400_000;

/** The Monday 00:00 UTC that starts the ISO week of `time` (ms since the epoch). */
export function weekStart(time: number): number {
  const day = Math.floor(time / DAY);
  // 1970-01-01 was a Thursday: day 0 is weekday 3 counted from Monday.
  const weekday = (day + 3) % 7;
  return (day - weekday) * DAY;
}

/**
 * The ISO 8601 week of `time` in UTC, as `YYYY-Www`: weeks start on Monday, and week 1 is the
 * week that holds the year's first Thursday.
 *
 * @example Usage
 * ```ts
 * import { isoWeek } from "./aggregate.ts";
 * isoWeek(Date.parse("2026-12-03T12:00:00Z")); // => "2026-W49"
 * isoWeek(Date.parse("2027-01-01T00:00:00Z")); // => "2026-W53"
 * ```
 */
export function isoWeek(time: number): string {
  const thursday = new Date(weekStart(time) + 3 * DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY)) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** What `mlp cost --by` groups by. */
export const COST_DIMENSIONS = ["project", "client", "week", "model"] as const;

/** One of {@linkcode COST_DIMENSIONS}. */
export type CostDimension = (typeof COST_DIMENSIONS)[number];

/** One line of `mlp cost`: the group's key values, then its sums. */
export interface CostRow {
  /** dimension → value (`project` is `<client>/<project>`, `week` an ISO week). */
  key: Partial<Record<CostDimension, string>>;
  runs: number;
  /** Runs whose cost is not recorded (`agent.source=unavailable`, an unpriced model). */
  unpriced: number;
  tokens: number;
  costUsd: number;
}

function keyOf(record: SpendRecord, dimension: CostDimension): string {
  switch (dimension) {
    case "project":
      return `${record.client}/${record.project}`;
    case "client":
      return record.client;
    case "week":
      return isoWeek(record.startTime);
    case "model":
      return record.model;
  }
}

/**
 * Sums the records by the dimensions given, in order, the groups sorted by their key values
 * (weeks in time order). Dollars are summed in millionths, the precision they are logged with.
 */
export function aggregateSpend(
  records: readonly SpendRecord[],
  by: readonly CostDimension[],
): CostRow[] {
  const groups = new Map<string, CostRow & { micro: number }>();
  for (const record of records) {
    const key = Object.fromEntries(by.map((dimension) => [dimension, keyOf(record, dimension)]));
    const id = JSON.stringify(by.map((dimension) => key[dimension]));
    const row = groups.get(id) ??
      { key, runs: 0, unpriced: 0, tokens: 0, costUsd: 0, micro: 0 };
    groups.set(id, row);
    row.runs++;
    row.tokens += record.tokens ?? 0;
    if (record.costUsd === null) row.unpriced++;
    else row.micro += Math.round(record.costUsd * 1_000_000);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { micro, ...row }]) => ({ ...row, costUsd: micro / 1_000_000 }));
}

/** The recorded spend (USD) of one project in the ISO week that holds `now`. */
export function weekSpend(
  records: readonly SpendRecord[],
  client: string,
  project: string,
  now: number,
): number {
  const start = weekStart(now);
  let micro = 0;
  for (const record of records) {
    if (record.client !== client || record.project !== project || record.costUsd === null) {
      continue;
    }
    if (record.startTime >= start && record.startTime < start + 7 * DAY) {
      micro += Math.round(record.costUsd * 1_000_000);
    }
  }
  return micro / 1_000_000;
}

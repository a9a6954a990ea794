/**
 * The weekly ceiling on a project's agent spend (`agent_budget.weekly_usd` in the standards):
 * once the ISO week's recorded spend exceeds it, `mlp run` started by an agent is refused before
 * anything is recorded. A person's run is never refused: a person decides to spend. Pure; the
 * check against the store is src/cost/budget_check.ts.
 *
 * @module
 */
import { CheckError } from "../errors.ts";
import type { Standards } from "../config/standards.ts";
import { isoWeek, weekSpend, weekStart } from "./aggregate.ts";
import type { SpendRecord } from "./spend.ts";

/**
 * The ceiling that applies: the lower of the working and the committed standards' (an absent one
 * sets none), so an uncommitted edit can lower the ceiling but never raise or remove it.
 * `committed` is `null` before the first commit. `null`: no ceiling.
 */
export function effectiveCeiling(
  working: Pick<Standards, "agent_budget">,
  committed: Pick<Standards, "agent_budget"> | null,
): number | null {
  const values = [working, ...(committed === null ? [] : [committed])]
    .map((standards) => standards.agent_budget?.weekly_usd)
    .filter((value): value is number => value !== undefined);
  return values.length === 0 ? null : Math.min(...values);
}

/** Dollars for a message: cents, always two decimals. */
function dollars(value: number): string {
  return `$${value.toFixed(2)}`;
}

/**
 * The refusal of an agent's run when the week's recorded spend of `client/project` exceeds
 * `ceiling`, else `null`.
 *
 * @param file The standards' project-relative path, for the message.
 */
export function budgetRefusal(
  records: readonly SpendRecord[],
  target: { client: string; project: string; ceiling: number; now: number; file: string },
): CheckError | null {
  const spend = weekSpend(records, target.client, target.project, target.now);
  if (spend <= target.ceiling) return null;
  const monday = new Date(weekStart(target.now) + 7 * 86_400_000).toISOString().slice(0, 10);
  return new CheckError(
    `Agent budget exceeded: "${target.client}/${target.project}" has recorded ${
      dollars(spend)
    } of agent spend in ISO week ${isoWeek(target.now)}, over its ceiling of ${
      dollars(target.ceiling)
    } (agent_budget.weekly_usd in ${target.file})`,
    {
      hint: `nothing was recorded. A person can raise the ceiling in a reviewed change of ` +
        `${target.file} (agent_budget.weekly_usd), or run the experiment themselves; the ` +
        `week's spend starts again from $0.00 on Monday ${monday} 00:00 UTC (\`mlp cost --by week\`)`,
    },
  );
}

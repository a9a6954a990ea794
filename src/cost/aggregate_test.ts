import { deepEqual, equal } from "node:assert/strict";
import { aggregateSpend, isoWeek, weekSpend, weekStart } from "./aggregate.ts";
import { budgetRefusal, effectiveCeiling } from "./budget.ts";
import type { SpendRecord } from "./spend.ts";

const t = (iso: string) => Date.parse(iso);

Deno.test("isoWeek() and weekStart() follow ISO 8601 in UTC", () => {
  equal(isoWeek(t("2026-12-03T12:00:00Z")), "2026-W49");
  equal(isoWeek(t("2026-11-30T00:00:00Z")), "2026-W49");
  equal(isoWeek(t("2026-11-29T23:59:59Z")), "2026-W48");
  equal(isoWeek(t("2027-01-01T00:00:00Z")), "2026-W53");
  equal(isoWeek(t("2027-01-04T00:00:00Z")), "2027-W01");
  equal(isoWeek(t("2024-12-30T00:00:00Z")), "2025-W01");
  equal(new Date(weekStart(t("2026-12-06T23:00:00Z"))).toISOString(), "2026-11-30T00:00:00.000Z");
});

function record(overrides: Partial<SpendRecord>): SpendRecord {
  return {
    runId: "r",
    client: "acme",
    project: "churn",
    source: "transcript",
    model: "claude-opus-4-5",
    tokens: 1000,
    costUsd: 1,
    startTime: t("2026-12-01T10:00:00Z"),
    ...overrides,
  };
}

const RECORDS = [
  record({ costUsd: 0.1, tokens: 10 }),
  record({ costUsd: 0.2, tokens: 20, startTime: t("2026-11-24T10:00:00Z") }),
  record({ project: "fraud", costUsd: 1.5, tokens: 300, model: "claude-sonnet-4-5" }),
  record({ client: "bank", project: "risk", costUsd: null, tokens: null, source: "unavailable" }),
];

Deno.test("aggregateSpend() sums runs, tokens and dollars by the dimensions given", () => {
  deepEqual(aggregateSpend(RECORDS, ["project"]), [
    { key: { project: "acme/churn" }, runs: 2, unpriced: 0, tokens: 30, costUsd: 0.3 },
    { key: { project: "acme/fraud" }, runs: 1, unpriced: 0, tokens: 300, costUsd: 1.5 },
    { key: { project: "bank/risk" }, runs: 1, unpriced: 1, tokens: 0, costUsd: 0 },
  ]);
  deepEqual(aggregateSpend(RECORDS, ["client", "week"]), [
    { key: { client: "acme", week: "2026-W48" }, runs: 1, unpriced: 0, tokens: 20, costUsd: 0.2 },
    { key: { client: "acme", week: "2026-W49" }, runs: 2, unpriced: 0, tokens: 310, costUsd: 1.6 },
    { key: { client: "bank", week: "2026-W49" }, runs: 1, unpriced: 1, tokens: 0, costUsd: 0 },
  ]);
  deepEqual(aggregateSpend(RECORDS, ["model"]).map((row) => [row.key.model, row.costUsd]), [
    ["claude-opus-4-5", 0.3],
    ["claude-sonnet-4-5", 1.5],
  ]);
});

Deno.test("weekSpend() counts one project's runs of the current ISO week", () => {
  equal(weekSpend(RECORDS, "acme", "churn", t("2026-12-06T23:59:59Z")), 0.1);
  equal(weekSpend(RECORDS, "acme", "churn", t("2026-11-29T12:00:00Z")), 0.2);
  equal(weekSpend(RECORDS, "acme", "churn", t("2026-12-07T00:00:00Z")), 0);
});

Deno.test("effectiveCeiling() is the lower of the working and committed ceilings", () => {
  const at = (weekly_usd?: number) => ({
    agent_budget: weekly_usd === undefined ? undefined : { weekly_usd },
  });
  equal(effectiveCeiling(at(50), at(10)), 10);
  equal(effectiveCeiling(at(5), at(10)), 5);
  equal(effectiveCeiling(at(), at(10)), 10);
  equal(effectiveCeiling(at(5), at()), 5);
  equal(effectiveCeiling(at(), at()), null);
  equal(effectiveCeiling(at(7), null), 7);
});

Deno.test("budgetRefusal() refuses once the week's spend exceeds the ceiling, naming both", () => {
  const target = {
    client: "acme",
    project: "churn",
    now: t("2026-12-03T12:00:00Z"),
    file: "configs/project_standards.yaml",
  };
  equal(budgetRefusal(RECORDS, { ...target, ceiling: 0.1 }), null);
  const refusal = budgetRefusal(RECORDS, { ...target, ceiling: 0.05 });
  equal(refusal?.exitCode, 1);
  equal(
    refusal?.message,
    'Agent budget exceeded: "acme/churn" has recorded $0.10 of agent spend in ISO week 2026-W49, ' +
      "over its ceiling of $0.05 (agent_budget.weekly_usd in configs/project_standards.yaml)",
  );
  equal(
    refusal?.hint,
    "nothing was recorded. A person can raise the ceiling in a reviewed change of " +
      "configs/project_standards.yaml (agent_budget.weekly_usd), or run the experiment " +
      "themselves; the week's spend starts again from $0.00 on Monday 2026-12-07 00:00 UTC " +
      "(`mlp cost --by week`)",
  );
});

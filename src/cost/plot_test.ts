import { deepEqual } from "node:assert/strict";
import { costPlotSpec } from "./plot.ts";

Deno.test("costPlotSpec() bars the first dimension, stacked by the second", () => {
  const rows = [
    {
      key: { week: "2026-W48", project: "acme/churn" },
      runs: 1,
      unpriced: 0,
      tokens: 9,
      costUsd: 0.25,
    },
    {
      key: { week: "2026-W49", project: "bank/risk" },
      runs: 2,
      unpriced: 0,
      tokens: 9,
      costUsd: 1.5,
    },
  ];
  const spec = costPlotSpec(rows, ["week", "project"]) as unknown as Record<string, unknown>;
  deepEqual(spec.data, {
    values: [
      { week: "2026-W48", project: "acme/churn", cost_usd: 0.25, runs: 1 },
      { week: "2026-W49", project: "bank/risk", cost_usd: 1.5, runs: 2 },
    ],
  });
  deepEqual(spec.mark, "bar");
  deepEqual((spec.encoding as Record<string, unknown>).x, {
    field: "week",
    type: "nominal",
    sort: "ascending",
    title: "week",
    axis: { labelAngle: 0 },
  });
  deepEqual((spec.encoding as Record<string, unknown>).color, {
    field: "project",
    type: "nominal",
    title: "project",
  });
  const single = costPlotSpec(rows, ["project"]) as unknown as Record<string, unknown>;
  deepEqual((single.encoding as Record<string, unknown>).color, undefined);
});

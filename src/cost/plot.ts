/**
 * `mlp cost --plot FILE.svg`: the sums as a bar chart. The Vega-Lite spec is built here (pure);
 * `mlp query`'s renderer (src/query/render.ts) draws it headless, loading Vega only for a plot.
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import type { CostDimension, CostRow } from "./aggregate.ts";

/**
 * The Vega-Lite spec of a cost plot: one bar per value of the first dimension, its height the
 * dollars, stacked and coloured by the second dimension when there is one.
 */
export function costPlotSpec(rows: readonly CostRow[], by: readonly CostDimension[]): TopLevelSpec {
  const [x, color] = by;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `Agent spend by ${by.join(" and ")} (USD)`,
    width: 480,
    height: 280,
    data: {
      values: rows.map((row) => ({ ...row.key, cost_usd: row.costUsd, runs: row.runs })),
    },
    mark: "bar",
    encoding: {
      x: { field: x, type: "nominal", sort: "ascending", title: x, axis: { labelAngle: 0 } },
      y: { field: "cost_usd", type: "quantitative", aggregate: "sum", title: "cost_usd" },
      ...(color === undefined ? {} : { color: { field: color, type: "nominal", title: color } }),
      tooltip: [
        ...by.map((dimension) => ({ field: dimension, type: "nominal" as const })),
        { field: "cost_usd", type: "quantitative" as const },
        { field: "runs", type: "quantitative" as const },
      ],
    },
  };
}

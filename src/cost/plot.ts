/**
 * `mlp cost --plot FILE.svg`: the sums as a bar chart, drawn by Vega-Lite and rendered to SVG by
 * Vega headless (no browser, no canvas). The spec is built here (pure); Vega draws it. Loaded
 * only when a plot is asked for: Vega is large, and every mlp command (the hooks too) starts
 * from the same program.
 *
 * @module
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
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

/** Renders the spec to SVG text. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

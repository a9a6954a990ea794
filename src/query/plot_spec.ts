/**
 * The Vega-Lite chart of each query's answer, pure: `render.ts` draws it. One chart per
 * question, so `--plot` shows what the table says.
 *
 * @module
 */
import { isoDate } from "./format.ts";
import type { QueryResult } from "./result.ts";

/** A Vega-Lite specification (top level). */
export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const LABEL = 40;
/** Up to this many runs, the history labels each; more, only those that set a new best. */
const LABEL_ALL = 15;

function short(text: unknown): string {
  const s = String(text ?? "");
  return s.length > LABEL ? `${s.slice(0, LABEL - 1)}…` : s;
}

/** The rows as Vega-Lite data values: dates as ISO strings, labels shortened. */
function values(result: QueryResult): Record<string, unknown>[] {
  return result.rows.map((row) => {
    const out: Record<string, unknown> = { ...row };
    for (const c of result.columns) {
      if (c.kind === "date" && typeof row[c.key] === "number") {
        out[c.key] = isoDate(row[c.key] as number);
      }
    }
    if ("change" in row) out.label = short(row.change);
    if ("run" in row && typeof row.run === "string") out.run8 = row.run.slice(0, 8);
    return out;
  });
}

/** The chart of `result`, titled `title`. */
export function plotSpec(result: QueryResult, title: string): VegaLiteSpec {
  const base = { $schema: SCHEMA, title, data: { values: values(result) }, background: "white" };
  switch (result.query) {
    case "changes":
      return {
        ...base,
        mark: "bar",
        encoding: {
          y: { field: "label", type: "nominal", sort: "-x", title: "change" },
          x: { field: "delta", type: "quantitative", title: "metric_delta (positive = better)" },
          color: { field: "outcome", type: "nominal" },
          tooltip: [{ field: "run8" }, { field: "category" }],
        },
      };
    case "categories":
      return {
        ...base,
        mark: "bar",
        encoding: {
          x: { field: "category", type: "nominal", sort: "-y" },
          y: {
            field: "confirmation_rate",
            type: "quantitative",
            axis: { format: "%" },
            title: "confirmation rate",
          },
          color: { field: "mean_delta", type: "quantitative", title: "mean delta" },
        },
      };
    case "approaches":
      return {
        ...base,
        mark: "bar",
        encoding: {
          row: { field: "use_case", type: "nominal" },
          column: { field: "dimension", type: "nominal" },
          x: { field: "value", type: "nominal", sort: "-y", title: null },
          y: { field: "best_in", type: "quantitative", title: "projects whose best run used it" },
          color: { field: "confirmation_rate", type: "quantitative", title: "confirmation rate" },
        },
        resolve: { scale: { x: "independent" } },
      };
    case "runs-to-target":
      return {
        ...base,
        mark: "bar",
        encoding: {
          y: { field: "experiment", type: "nominal", sort: "x" },
          x: { field: "runs_to_target", type: "quantitative", title: "runs to reach the target" },
        },
      };
    default:
      return historySpec(base, result);
  }
}

/** The metric over time, the best so far as a step line, each run labelled with its change. */
function historySpec(base: VegaLiteSpec, result: QueryResult): VegaLiteSpec {
  const x = {
    field: "date",
    type: "temporal",
    title: "run start (UTC)",
    scale: { type: "utc" },
    axis: { format: "%Y-%m-%d %H:%M", labelAngle: -30 },
  };
  // Every change is labelled while the labels can be read; beyond that, those that set a new best.
  const labelled = result.rows.length <= LABEL_ALL ? [] : [{ filter: "datum.new_best" }];
  const layers = [
    {
      mark: { type: "line", interpolate: "step-after", color: "#999" },
      encoding: { x, y: { field: "best_so_far", type: "quantitative", title: null } },
    },
    {
      mark: { type: "point", filled: true, size: 60 },
      encoding: {
        x,
        y: { field: "value", type: "quantitative", scale: { zero: false }, title: "value" },
        color: { field: "category", type: "nominal" },
        shape: { field: "new_best", type: "nominal", title: "new best" },
      },
    },
    {
      transform: labelled,
      mark: { type: "text", align: "left", angle: -30, dx: 6, dy: -6, fontSize: 9 },
      encoding: { x, y: { field: "value", type: "quantitative" }, text: { field: "label" } },
    },
  ];
  const experiments = new Set(result.rows.map((row) => row.experiment));
  const metric = result.rows[0]?.metric ?? "metric";
  const spec = { width: 640, height: 300, layer: layers };
  if (experiments.size <= 1) {
    return { ...base, ...spec, title: `${base.title}: ${metric}` };
  }
  const { data, ...rest } = base;
  return {
    ...rest,
    data,
    facet: { row: { field: "experiment", type: "nominal" } },
    spec,
    resolve: { scale: { y: "independent" } },
  };
}

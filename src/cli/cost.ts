/**
 * `mlp cost`: the agent spend the store has recorded, summed per project, client, ISO week or
 * model (docs/cost.md).
 *
 * @module
 */
import type { Command } from "commander";
import { costPlotSpec } from "../cost/plot.ts";
import { findProjectRoot } from "../project/paths.ts";
import { resolveTrackingUri } from "../run/tracking_uri.ts";
import { openRunReader } from "../tracking/reader.ts";
import { aggregateSpend } from "../cost/aggregate.ts";
import { readSpend } from "../cost/spend.ts";
import { checkPlotFile, formatCost, parseBy, parseFormat, parseSince } from "../cost/report.ts";
import { printOut } from "./output.ts";

interface CostFlags {
  by: string;
  since?: string;
  format: string;
  plot?: string;
}

/** Registers `mlp cost` on the program. */
export function registerCost(program: Command): void {
  program
    .command("cost")
    .description(
      "Sum the agent spend recorded in the store, per project, client, ISO week or model.",
    )
    .option("--by <dimensions>", "project, client, week, model; comma-separated", "project,week")
    .option("--since <date>", "only runs started on or after this day (YYYY-MM-DD, UTC)")
    .option("--format <format>", "table, json, csv or markdown", "table")
    .option("--plot <file.svg>", "also draw the sums as a bar chart (Vega-Lite, SVG)")
    .addHelpText(
      "after",
      `
Reads the store named by MLFLOW_TRACKING_URI (else the project's mlflow.db): every run that
records agent.source, deleted runs included. A week is an ISO week (Monday 00:00 UTC), by the
run's start. unpriced_runs counts runs whose agent.cost_usd is not recorded.

Example:
  mlp cost
  mlp cost --by client,week --since 2026-11-01 --format csv
  mlp cost --by week,project --plot cost.svg`,
    )
    .action(async (flags: CostFlags) => {
      const by = parseBy(flags.by);
      const since = flags.since === undefined ? null : parseSince(flags.since);
      const format = parseFormat(flags.format);
      if (flags.plot !== undefined) checkPlotFile(flags.plot);
      const env = Deno.env.toObject();
      const root = env.MLFLOW_TRACKING_URI ? safeRoot() : findProjectRoot();
      const reader = openRunReader(resolveTrackingUri(env.MLFLOW_TRACKING_URI), root, env);
      let records;
      try {
        records = await readSpend(reader);
      } finally {
        reader.close();
      }
      const selected = records.filter((record) => since === null || record.startTime >= since);
      const rows = aggregateSpend(selected, by);
      printOut(formatCost(rows, by, format));
      if (flags.plot !== undefined) {
        const { renderSvg } = await import("../query/render.ts");
        await Deno.writeTextFile(flags.plot, await renderSvg(costPlotSpec(rows, by)));
      }
    });
}

/** The project root when inside one (a relative sqlite URI is relative to it), else the cwd. */
function safeRoot(): string {
  try {
    return findProjectRoot();
  } catch {
    return Deno.cwd();
  }
}

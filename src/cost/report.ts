/**
 * `mlp cost`'s options and output: which dimensions, from which date, in which format. Pure.
 * The table code is kept small on purpose: `mlp query` has its own, to be shared later.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { COST_DIMENSIONS, type CostDimension, type CostRow } from "./aggregate.ts";
import { formatUsd } from "./pricing.ts";

/** The output formats of `mlp cost`. */
export const COST_FORMATS = ["table", "json", "csv", "markdown"] as const;

/** One of {@linkcode COST_FORMATS}. */
export type CostFormat = (typeof COST_FORMATS)[number];

/**
 * `--by project,week`: one or more dimensions, comma-separated, each once.
 *
 * @throws {InputError} naming the value and the dimensions there are.
 */
export function parseBy(text: string): CostDimension[] {
  const parts = text.split(",").map((part) => part.trim());
  for (const part of parts) {
    if (
      !(COST_DIMENSIONS as readonly string[]).includes(part) ||
      parts.indexOf(part) !== parts.lastIndexOf(part)
    ) {
      throw new InputError(`--by "${text}" is not a list of ${COST_DIMENSIONS.join(", ")}`, {
        hint: "group by one or more of them, comma-separated, each once: --by project,week",
      });
    }
  }
  return parts as CostDimension[];
}

/**
 * `--since 2026-11-30`: the start of that day, UTC (ms since the epoch).
 *
 * @throws {InputError} for anything but a valid YYYY-MM-DD date.
 */
export function parseSince(text: string): number {
  const time = Date.parse(`${text}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(time) ||
    new Date(time).toISOString().slice(0, 10) !== text
  ) {
    throw new InputError(`--since "${text}" is not a date`, {
      hint: "give a day as YYYY-MM-DD (UTC): --since 2026-11-30",
    });
  }
  return time;
}

/**
 * `--format`.
 *
 * @throws {InputError} for an unknown format.
 */
export function parseFormat(text: string): CostFormat {
  if ((COST_FORMATS as readonly string[]).includes(text)) return text as CostFormat;
  throw new InputError(`--format "${text}" is not one of ${COST_FORMATS.join(", ")}`, {
    hint: "use --format json, csv or markdown, or leave it out for a table",
  });
}

/** The columns of the output: the dimensions, then the sums. */
function columns(by: readonly CostDimension[]): string[] {
  return [...by, "runs", "unpriced_runs", "tokens", "cost_usd"];
}

function cells(row: CostRow, by: readonly CostDimension[]): string[] {
  return [
    ...by.map((dimension) => row.key[dimension] ?? ""),
    String(row.runs),
    String(row.unpriced),
    String(row.tokens),
    formatUsd(row.costUsd),
  ];
}

/** A CSV field, quoted when it holds a comma, a quote or a line break. */
function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The report text (without a final newline). JSON is an array of objects, one per row, with
 * numbers as numbers; the table and Markdown end with a total.
 */
export function formatCost(
  rows: readonly CostRow[],
  by: readonly CostDimension[],
  format: CostFormat,
): string {
  const header = columns(by);
  if (format === "json") {
    return JSON.stringify(
      rows.map((row) => ({
        ...Object.fromEntries(by.map((dimension) => [dimension, row.key[dimension] ?? ""])),
        runs: row.runs,
        unpriced_runs: row.unpriced,
        tokens: row.tokens,
        cost_usd: Number(formatUsd(row.costUsd)),
      })),
      null,
      2,
    );
  }
  const body = rows.map((row) => cells(row, by));
  if (format === "csv") {
    return [header, ...body].map((line) => line.map(csvField).join(",")).join("\n");
  }
  const micro = rows.reduce((sum, row) => sum + Math.round(row.costUsd * 1_000_000), 0);
  const total = [
    "total",
    ...by.slice(1).map(() => ""),
    String(rows.reduce((sum, row) => sum + row.runs, 0)),
    String(rows.reduce((sum, row) => sum + row.unpriced, 0)),
    String(rows.reduce((sum, row) => sum + row.tokens, 0)),
    formatUsd(micro / 1_000_000),
  ];
  const lines = [header, ...body, total];
  // Numbers align right, names left.
  const numeric = header.map((_, index) => index >= by.length);
  if (format === "markdown") {
    const escape = (value: string) => value.replaceAll("|", "\\|");
    return [
      `| ${header.join(" | ")} |`,
      `| ${numeric.map((right) => (right ? "---:" : "---")).join(" | ")} |`,
      ...[...body, total].map((line) => `| ${line.map(escape).join(" | ")} |`),
    ].join("\n");
  }
  const widths = header.map((_, index) => Math.max(...lines.map((line) => line[index].length)));
  return lines.map((line) =>
    line.map((cell, index) =>
      numeric[index] ? cell.padStart(widths[index]) : cell.padEnd(widths[index])
    ).join("  ").trimEnd()
  ).join("\n");
}

/**
 * Checks `--plot`: an SVG file (Vega renders PNG only through a canvas package mlp does not ship).
 *
 * @throws {InputError} for another extension.
 */
export function checkPlotFile(file: string): void {
  if (!file.toLowerCase().endsWith(".svg")) {
    throw new InputError(`--plot "${file}" is not an .svg file`, {
      hint: "name an SVG file, e.g. --plot cost.svg",
    });
  }
}

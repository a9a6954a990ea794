/**
 * Prints a query's answer: an aligned terminal table (the `table` package), JSON, CSV (the
 * `csv-stringify` package, so quoting follows RFC 4180) or a Markdown table. Pure; each package is
 * imported only for its format (`table` alone costs ~0.1 s of start-up).
 *
 * In the table and Markdown, numbers have four decimals, rates are percentages and run IDs and
 * commits their first 8 characters, for reading; JSON and CSV keep every digit and character,
 * for programs. Dates are ISO 8601 in UTC everywhere.
 *
 * @module
 */
import type { LeftOut } from "./select.ts";
import type { Cell, Column, QueryResult } from "./result.ts";

import type { FORMATS } from "./formats.ts";

/** One of `FORMATS`. */
export type Format = (typeof FORMATS)[number];

/** Characters of a text cell in the terminal table before it is cut with "…". */
const TEXT_WIDTH = 48;

/** `ms` as ISO 8601 UTC to the second, e.g. `2026-12-03T12:34:56Z`. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A cell as JSON and CSV carry it: dates as ISO strings, everything else as it is. */
function raw(cell: Cell, column: Column): Cell {
  return column.kind === "date" && typeof cell === "number" ? isoDate(cell) : cell;
}

/** A cell as the table and Markdown show it. */
export function display(cell: Cell, column: Column): string {
  if (cell === null) return "";
  switch (column.kind) {
    case "number":
      return (cell as number).toFixed(4);
    case "rate":
      return `${Math.round((cell as number) * 100)}%`;
    case "date":
      return isoDate(cell as number).slice(0, 16).replace("T", " ");
    case "id":
      return String(cell).slice(0, 8);
    case "text": {
      const text = String(cell);
      return text.length > TEXT_WIDTH ? `${text.slice(0, TEXT_WIDTH - 1)}…` : text;
    }
    default:
      return String(cell);
  }
}

const RIGHT = new Set(["int", "number", "rate"]);

/** The summary as `key: value` lines. */
function summaryLines(result: QueryResult): string[] {
  return Object.entries(result.summary ?? {}).map(([key, value]) =>
    `${key}: ${
      value === null
        ? ""
        : typeof value === "number" && !Number.isInteger(value)
        ? value.toFixed(4)
        : value
    }`
  );
}

/**
 * The answer in `format`. `counted` and `leftOut` (why runs were not counted) go into the JSON;
 * the other formats print only the answer (the command says the rest on stderr).
 */
export async function formatResult(
  result: QueryResult,
  format: Format,
  counted: number,
  leftOut: LeftOut,
): Promise<string> {
  const { columns, rows } = result;
  switch (format) {
    case "json":
      return JSON.stringify(
        {
          query: result.query,
          counted,
          left_out: leftOut,
          rows: rows.map((row) =>
            Object.fromEntries(columns.map((c) => [c.key, raw(row[c.key] ?? null, c)]))
          ),
          ...(result.summary ? { summary: result.summary } : {}),
        },
        null,
        2,
      );
    case "csv": {
      const { stringify } = await import("csv-stringify/sync");
      return stringify(
        rows.map((row) => columns.map((c) => raw(row[c.key] ?? null, c))),
        {
          header: true,
          columns: columns.map((c) => c.key),
          cast: { boolean: (value) => String(value), number: (value) => String(value) },
        },
      ).trimEnd();
    }
    case "markdown": {
      const escape = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
      const lines = [
        `| ${columns.map((c) => c.key).join(" | ")} |`,
        `| ${columns.map((c) => (RIGHT.has(c.kind) ? "---:" : "---")).join(" | ")} |`,
        ...rows.map((row) =>
          `| ${columns.map((c) => escape(display(row[c.key] ?? null, c))).join(" | ")} |`
        ),
      ];
      const summary = summaryLines(result);
      return [...lines, ...(summary.length ? ["", ...summary.map((l) => `- ${l}`)] : [])].join(
        "\n",
      );
    }
    case "table": {
      if (rows.length === 0) return "(no runs)";
      const { getBorderCharacters, table } = await import("table");
      const text = table(
        [
          columns.map((c) => c.key),
          ...rows.map((row) => columns.map((c) => display(row[c.key] ?? null, c))),
        ],
        {
          border: getBorderCharacters("void"),
          columnDefault: { paddingLeft: 0, paddingRight: 2 },
          columns: columns.map((c) => ({ alignment: RIGHT.has(c.kind) ? "right" : "left" })),
          drawHorizontalLine: () => false,
        },
      );
      const lines = text.split("\n").map((line) => line.trimEnd()).filter((l) => l !== "");
      return [...lines, ...summaryLines(result)].join("\n");
    }
  }
}

/**
 * The terminal form of a data summary (`mlp data describe`). Pure.
 *
 * @module
 */
import type { ColumnSummary, DataSummary } from "../contract/data_summary.ts";

/** How many characters of the VALUES cell a line shows before "…". */
const VALUES_WIDTH = 100;

/** A percentage with one decimal: 0.0123 → "1.2%". */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function valuesCell(column: ColumnSummary): string {
  if (!column.values) return "";
  let text = column.values.map((v) => `${String(v.value)} (${v.count})`).join(", ");
  if (column.values_truncated) text += `, … ${column.distinct - column.values.length} more`;
  return text.length > VALUES_WIDTH ? `${text.slice(0, VALUES_WIDTH - 1)}…` : text;
}

/**
 * An aligned table, one line per column (COLUMN, TYPE, MISSING, DISTINCT, VALUES: the category
 * values with their counts), after a line with the rows and before one with the target rate.
 */
export function formatSummary(summary: DataSummary): string {
  const rows = [
    ["COLUMN", "TYPE", "MISSING", "DISTINCT", "VALUES"],
    ...summary.columns.map((c) => [
      c.name,
      c.dtype,
      c.missing === 0 ? "0" : `${percent(c.missing_share)} (${c.missing})`,
      String(c.distinct),
      valuesCell(c),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const table = rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")
      .trimEnd()
  );
  const lines = [
    `dataset ${summary.dataset_hash}: ${summary.rows} rows, ${summary.columns.length} columns`,
    ...table,
  ];
  const target = summary.target;
  if (target === null) {
    lines.push("target: none (the standards name no target_column)");
  } else if (!target.present) {
    lines.push(`target: column "${target.column}" is not in the dataset`);
  } else {
    const rate = target.positive_rate == null ? "-" : percent(target.positive_rate);
    lines.push(
      `target ${target.column} = ${JSON.stringify(target.positive_class)}: ${rate} ` +
        `(${target.positives} of ${target.labelled_rows} labelled rows)`,
    );
  }
  return lines.join("\n");
}

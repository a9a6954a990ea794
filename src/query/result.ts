/**
 * The answer of a query, in one shape every output format prints: typed columns, rows of plain
 * values, and an optional summary (the mean and median of runs-to-target).
 *
 * @module
 */

/** How a column's values are printed. */
export type ColumnKind =
  /** Free text. */
  | "text"
  /** A count. */
  | "int"
  /** A metric value or a delta: four decimals in tables. */
  | "number"
  /** A share between 0 and 1: a percentage in tables. */
  | "rate"
  /** Milliseconds since the epoch: ISO 8601 UTC everywhere. */
  | "date"
  /** A run ID or commit: its first 8 characters in tables, whole in JSON and CSV. */
  | "id"
  /** true / false. */
  | "bool";

/** One column of an answer. */
export interface Column {
  key: string;
  kind: ColumnKind;
}

/** One cell. */
export type Cell = string | number | boolean | null;

/** A query's answer. */
export interface QueryResult {
  /** The question, e.g. `changes`. */
  query: string;
  columns: Column[];
  rows: Record<string, Cell>[];
  /** Figures about the whole answer (printed after the table). */
  summary?: Record<string, Cell>;
}

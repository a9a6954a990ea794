/**
 * The data summary (`mlp data describe`, and the artifact `mlp/data_summary.json` of every run),
 * defined once: `mlp_platform/data_summary.py` writes it, mlp reads it with this schema.
 *
 * @module
 */
import { z } from "zod";

/** The version the platform writes (`SUMMARY_VERSION`). */
export const DATA_SUMMARY_VERSION = 1;

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** One column of the dataset. */
export const columnSummarySchema = z.object({
  name: z.string(),
  /** The pandas dtype the trainer sees. */
  dtype: z.string(),
  kind: z.enum(["numeric", "boolean", "datetime", "categorical"]),
  missing: z.number().int().nonnegative(),
  /** missing / rows, rounded to 6 decimals. */
  missing_share: z.number().min(0).max(1),
  /** Distinct non-missing values. */
  distinct: z.number().int().nonnegative(),
  /** Categorical and boolean columns: the 20 most frequent values, most frequent first. */
  values: z.array(z.object({ value: cell, count: z.number().int().positive() })).optional(),
  /** True when `values` leaves some out. */
  values_truncated: z.boolean().optional(),
});

/** The target: the standards' protected target_column and positive_class. */
export const targetSummarySchema = z.object({
  column: z.string(),
  positive_class: cell,
  /** False when the dataset has no such column (then nothing else is given). */
  present: z.boolean(),
  labelled_rows: z.number().int().nonnegative().optional(),
  positives: z.number().int().nonnegative().optional(),
  /** positives / labelled_rows (6 decimals); null when no row is labelled. */
  positive_rate: z.number().min(0).max(1).nullable().optional(),
});

/** The whole summary. */
export const dataSummarySchema = z.object({
  summary_version: z.literal(DATA_SUMMARY_VERSION),
  // (?![\s\S]), not $: the same end of text in JavaScript and Python regular expressions.
  dataset_hash: z.string().regex(/^[0-9a-f]{64}(?![\s\S])/),
  rows: z.number().int().nonnegative(),
  columns: z.array(columnSummarySchema),
  target: targetSummarySchema.nullable(),
});

/** A dataset's summary. */
export type DataSummary = z.infer<typeof dataSummarySchema>;
/** One column's summary. */
export type ColumnSummary = z.infer<typeof columnSummarySchema>;

import { equal } from "node:assert/strict";
import type { DataSummary } from "../contract/data_summary.ts";
import { formatSummary, percent } from "./format.ts";

const SUMMARY: DataSummary = {
  summary_version: 1,
  dataset_hash: "a".repeat(64),
  rows: 200,
  columns: [
    {
      name: "income",
      dtype: "float64",
      kind: "numeric",
      missing: 3,
      missing_share: 0.015,
      distinct: 197,
    },
    {
      name: "region",
      dtype: "string",
      kind: "categorical",
      missing: 0,
      missing_share: 0,
      distinct: 3,
      values: [{ value: "north", count: 120 }, { value: "south", count: 80 }],
      values_truncated: true,
    },
    {
      name: "default",
      dtype: "int64",
      kind: "numeric",
      missing: 0,
      missing_share: 0,
      distinct: 2,
    },
  ],
  target: {
    column: "default",
    positive_class: 1,
    present: true,
    labelled_rows: 200,
    positives: 9,
    positive_rate: 0.045,
  },
};

Deno.test("formatSummary() aligns one line per column, then the target rate", () => {
  equal(
    formatSummary(SUMMARY),
    [
      `dataset ${"a".repeat(64)}: 200 rows, 3 columns`,
      "COLUMN   TYPE     MISSING   DISTINCT  VALUES",
      "income   float64  1.5% (3)  197",
      "region   string   0         3         north (120), south (80), … 1 more",
      "default  int64    0         2",
      "target default = 1: 4.5% (9 of 200 labelled rows)",
    ].join("\n"),
  );
});

Deno.test("formatSummary() says when the target column is missing or not named", () => {
  const absent = { ...SUMMARY, target: { column: "bad", positive_class: "yes", present: false } };
  equal(formatSummary(absent).split("\n").at(-1), 'target: column "bad" is not in the dataset');
  equal(
    formatSummary({ ...SUMMARY, target: null }).split("\n").at(-1),
    "target: none (the standards name no target_column)",
  );
});

Deno.test("percent() has one decimal", () => {
  equal(percent(0.0123), "1.2%");
  equal(percent(1), "100.0%");
});

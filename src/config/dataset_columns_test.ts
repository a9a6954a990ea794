import assert from "node:assert/strict";
import { CheckError, InputError } from "../errors.ts";
import { refuseMissingColumns, schemaColumns } from "./dataset_columns.ts";

const FILE = "configs/experiment.yaml";
const SCHEMA = "data/shadow/ab/schema.json";

function refusal(fn: () => void): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  assert.fail("expected an InputError");
}

Deno.test("schemaColumns() reads the names of schema.json's columns, and refuses anything else", () => {
  assert.deepEqual(
    schemaColumns(
      { columns: [{ dtype: "int64", name: "a" }, { dtype: "object", name: "b" }] },
      SCHEMA,
    ),
    ["a", "b"],
  );
  for (
    const bad of [null, [], { columns: {} }, { columns: [{ dtype: "int64" }] }, { columns: ["a"] }]
  ) {
    assert.throws(() => schemaColumns(bad, SCHEMA), (error: unknown) => {
      assert.ok(error instanceof CheckError);
      assert.deepEqual(error.location, { file: SCHEMA });
      return true;
    });
  }
});

Deno.test("refuseMissingColumns() accepts columns the dataset has, and absent optional ones", () => {
  const text = "protected:\n  target_column: default\n  date_column: day\n";
  refuseMissingColumns(text, FILE, ["day", "default"], SCHEMA);
  refuseMissingColumns("protected:\n  target_column: default\n", FILE, ["default"], SCHEMA);
});

Deno.test("refuseMissingColumns() names line, field, column, the dataset's columns and the closest one", () => {
  const text = "model_type: xgboost\nprotected:\n  target_column: Default\n  date_column: when\n";
  const error = refusal(() => refuseMissingColumns(text, FILE, ["income", "default"], SCHEMA));
  assert.equal(error.message, "configs/experiment.yaml has 2 problems");
  assert.deepEqual(error.details, [
    'configs/experiment.yaml:3:18: field "protected.target_column": "Default" is not a column of ' +
    `the dataset: ${SCHEMA} lists "income", "default" (did you mean "default"?)`,
    'configs/experiment.yaml:4:16: field "protected.date_column": "when" is not a column of ' +
    `the dataset: ${SCHEMA} lists "income", "default"`,
  ]);
  assert.equal(
    error.hint,
    "name a column the dataset has, or set dataset_version to a dataset that has this one " +
      "(`mlp data ls` lists them)",
  );
  assert.deepEqual(
    refusal(() => refuseMissingColumns(text, FILE, [], SCHEMA)).details[1],
    `configs/experiment.yaml:4:16: field "protected.date_column": "when" is not a column of the dataset: ${SCHEMA} lists no columns`,
  );
});

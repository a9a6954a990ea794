/**
 * The protected settings that name a column of the dataset (`protected.target_column`,
 * `protected.date_column`) against the columns its `schema.json` lists. Without this check a
 * misspelt column passes validation and the run fails only after a full start. Pure: callers
 * read the schema from the store (`mlp validate`, `mlp run`) or from the index (the hook).
 *
 * @module
 */
import { SCHEMA_NAME } from "../cas/dataset.ts";
import { CheckError } from "../errors.ts";
import {
  configError,
  type ConfigProblem,
  invalid,
  isMapping,
  oneOf,
  show,
  suggestion,
} from "./problems.ts";
import { parseYamlStrict } from "./yaml_strict.ts";

/** The fields of `protected` whose value is a column name. */
const COLUMN_FIELDS = ["target_column", "date_column"] as const;

/**
 * The column names of a dataset's parsed `schema.json` (`{"columns":[{"name":…,"dtype":…}, …]}`).
 *
 * @param file The schema's project-relative path, for the message.
 * @throws {CheckError} when the schema does not list named columns.
 */
export function schemaColumns(schema: unknown, file: string): string[] {
  const columns = isMapping(schema) ? schema.columns : undefined;
  const names = Array.isArray(columns)
    ? columns.map((column) => isMapping(column) ? column.name : undefined)
    : [];
  if (!Array.isArray(columns) || names.some((name) => typeof name !== "string")) {
    throw new CheckError(
      `${SCHEMA_NAME} does not list the dataset's columns as {"columns":[{"name":…,"dtype":…}, …]}`,
      {
        location: { file },
        hint: "add the table files again with `mlp data add`, which writes the schema itself",
      },
    );
  }
  return names as string[];
}

/**
 * Refuses experiment.yaml text whose protected column settings name columns the dataset lacks,
 * each problem with its line, the column, the dataset's columns and the closest one.
 *
 * @param text The config's contents (already validated: the fields are strings when present).
 * @param file The config's path, for messages.
 * @param columns The dataset's columns, from {@linkcode schemaColumns}.
 * @param schemaFile The schema's project-relative path, for messages.
 * @throws {InputError} listing every such field; `InputError` too when the text is not strict YAML.
 *
 * @example Usage
 * ```ts
 * import { refuseMissingColumns } from "./dataset_columns.ts";
 * const text = "protected:\n  target_column: defualt\n";
 * refuseMissingColumns(text, "configs/experiment.yaml", ["income", "default"], "schema.json");
 * // throws: configs/experiment.yaml:2:18: field "protected.target_column": "defualt" is not a
 * // column of the dataset: schema.json lists "income", "default" (did you mean "default"?)
 * ```
 */
export function refuseMissingColumns(
  text: string,
  file: string,
  columns: readonly string[],
  schemaFile: string,
): void {
  const doc = parseYamlStrict(text, file);
  const section = isMapping(doc.value) ? doc.value.protected : undefined;
  const lists = columns.length === 0 ? "lists no columns" : `lists ${oneOf(columns)}`;
  const problems: ConfigProblem[] = [];
  for (const field of COLUMN_FIELDS) {
    const value = isMapping(section) ? section[field] : undefined;
    if (typeof value !== "string" || columns.includes(value)) continue;
    problems.push(
      invalid(
        ["protected", field],
        `${show(value)} is not a column of the dataset: ${schemaFile} ${lists}` +
          suggestion(value, columns),
      ),
    );
  }
  if (problems.length === 0) return;
  throw configError(
    file,
    doc,
    problems,
    "name a column the dataset has, or set dataset_version to a dataset that has this one " +
      "(`mlp data ls` lists them)",
  );
}

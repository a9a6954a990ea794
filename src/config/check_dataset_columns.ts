/**
 * The dataset-columns check of `mlp validate` and `mlp run`: the config's protected column
 * settings against the columns of the dataset it names, read from the store before the dataset
 * is hashed or anything runs.
 *
 * @module
 */
import { readDatasetSchema } from "../cas/dataset_schema.ts";
import { refuseMissingColumns, schemaColumns } from "./dataset_columns.ts";
import type { RunConfigs } from "./load.ts";

/**
 * Refuses a config whose `protected.target_column` or `protected.date_column` is not a column of
 * its dataset.
 *
 * @param root The project root.
 * @param configs The validated configs, as `loadRunConfigs` returns them.
 * @throws {InputError} naming the config file, line, field, column and the dataset's columns.
 * @throws {CheckError} when the dataset or its schema cannot be read (see `readDatasetSchema`).
 */
export async function checkDatasetColumns(root: string, configs: RunConfigs): Promise<void> {
  const { schema, file } = await readDatasetSchema(root, configs.experiment.dataset_version);
  refuseMissingColumns(
    configs.texts.experiment,
    configs.files.experiment,
    schemaColumns(schema, file),
    file,
  );
}

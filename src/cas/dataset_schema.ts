/**
 * Reading a stored dataset's `schema.json` without hashing its tables: the manifest is checked
 * against the dataset's name and the schema against the manifest, so the columns it lists are
 * the dataset's, at the cost of two small files. Config checks use it before anything runs; the
 * full verification (`verify.ts`) still re-hashes every file before project code runs.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import { projectRelative } from "../project/paths.ts";
import { IMMUTABLE_HINT, parseSchema, SCHEMA_NAME } from "./dataset.ts";
import { validateDatasetVersion } from "./dataset_id.ts";
import { MANIFEST_NAME } from "./manifest.ts";
import { datasetDirectory, readManifest } from "./verify.ts";

/** A dataset's parsed `schema.json` and its project-relative path. */
export interface DatasetSchema {
  schema: unknown;
  file: string;
}

/**
 * Reads the schema of dataset `hash` in the project at `root`.
 *
 * @throws {InputError} when `hash` is not 64 lowercase hexadecimal characters.
 * @throws {CheckError} when the dataset is not in `data/shadow/` (with a near match), its
 *   manifest does not hash to its name, lists no schema, or the schema is not a regular file
 *   whose SHA-256 the manifest lists.
 */
export async function readDatasetSchema(root: string, hash: string): Promise<DatasetSchema> {
  validateDatasetVersion(hash);
  const dir = await datasetDirectory(root, hash);
  const entries = await readManifest(root, dir, hash);
  const relDir = projectRelative(root, dir);
  const file = `${relDir}/${SCHEMA_NAME}`;
  const listed = entries.find((entry) => entry.path === SCHEMA_NAME);
  if (!listed) {
    throw new CheckError(`Dataset "${hash}" has no ${SCHEMA_NAME}`, {
      location: { file: `${relDir}/${MANIFEST_NAME}` },
      hint: "this dataset was not made by `mlp data add`: add its table files again with it",
    });
  }
  const info = await Deno.lstat(join(dir, SCHEMA_NAME)).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  });
  if (!info?.isFile) {
    throw new CheckError(
      info ? "Dataset file is not a regular file" : `File listed in ${MANIFEST_NAME} is missing`,
      { location: { file }, hint: IMMUTABLE_HINT },
    );
  }
  const bytes = await Deno.readFile(join(dir, SCHEMA_NAME));
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== listed.sha256) {
    throw new CheckError(
      `Dataset file changed since it was added: its SHA-256 is "${actual}", ` +
        `${MANIFEST_NAME} says "${listed.sha256}"`,
      { location: { file }, hint: IMMUTABLE_HINT },
    );
  }
  return { schema: parseSchema(bytes, file), file };
}

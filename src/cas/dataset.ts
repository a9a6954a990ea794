/**
 * What a dataset in the store, `data/shadow/<hash>/`, is made of and how mlp describes one. The
 * layout (DESIGN.md "Dataset identity"):
 *
 * ```
 * data/shadow/<hash>/
 *   <table files and any other files, relative layout kept>
 *   schema.json        column names and dtypes, written by mlp, listed in the manifest
 *   MANIFEST.sha256    `<sha256>  <path>` per file but itself, sorted; <hash> = SHA-256 of it
 * ```
 *
 * so `sha256sum -c MANIFEST.sha256 && sha256sum MANIFEST.sha256` checks a dataset without mlp.
 *
 * @module
 */
import { CheckError } from "../errors.ts";
import type { ManifestEntry } from "./manifest.ts";

/** The column schema's file name inside a dataset directory. */
export const SCHEMA_NAME = "schema.json";

/** Suffixes of the files the trainer loads as tables, concatenated in manifest order. */
export const TABLE_SUFFIXES = [".parquet", ".csv"] as const;

/** The fix for a dataset whose files no longer match its manifest. */
export const IMMUTABLE_HINT: string =
  "datasets are immutable: restore the original file, or add the changed data as a new " +
  "dataset with `mlp data add PATH…` and set dataset_version to the hash it prints";

/** Progress callback: bytes hashed so far and the total to hash. */
export type OnProgress = (doneBytes: number, totalBytes: number) => void;

/** A dataset that was checked byte for byte against its manifest. */
export interface VerifiedDataset {
  /** The dataset hash (SHA-256 of its manifest). */
  hash: string;
  /** SHA-256 of `schema.json`. */
  schemaHash: string;
  /** Absolute path of the dataset directory. */
  dir: string;
  /** Every file but the manifest, relative to `dir`, sorted bytewise. */
  files: string[];
  /** The table files, relative to `dir`, in the order the trainer concatenates them. */
  tables: string[];
  /** The parsed `schema.json`. */
  schema: unknown;
  /** Total size of `files` in bytes. */
  bytes: number;
}

/** True when `path` (a dataset-relative path) is a table file. */
export function isTable(path: string): boolean {
  return TABLE_SUFFIXES.some((suffix) => path.endsWith(suffix));
}

/**
 * Parses the bytes of a `schema.json`.
 *
 * @param file Names the bytes in the message.
 * @throws {CheckError} when they are not UTF-8 JSON.
 */
export function parseSchema(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new CheckError(`${SCHEMA_NAME} is not valid JSON: ${(error as Error).message}`, {
      location: { file },
      hint: "add the table files again with `mlp data add`, which writes the schema itself",
    });
  }
}

/**
 * Builds the description of a dataset from its manifest entries.
 *
 * @param sizes The size in bytes of each entry's file, in the same order as `entries`.
 */
export function describeDataset(
  hash: string,
  dir: string,
  entries: readonly ManifestEntry[],
  sizes: readonly number[],
  schema: unknown,
): VerifiedDataset {
  const files = entries.map((entry) => entry.path);
  return {
    hash,
    schemaHash: entries.find((entry) => entry.path === SCHEMA_NAME)!.sha256,
    dir,
    files,
    tables: files.filter(isTable),
    schema,
    bytes: sizes.reduce((sum, size) => sum + size, 0),
  };
}

/**
 * Writing the generated JSON Schemas into a directory and finding the ones that are out of date.
 *
 * @module
 */
import { join } from "node:path";
import { renderSchemaFiles, type SchemaFile } from "./json_schema.ts";
import type { Standards } from "./standards.ts";

/**
 * Writes every schema file for `standards` into `dir` (which must exist).
 *
 * @returns The absolute paths written, in `SCHEMA_FILES` order.
 */
export async function writeSchemaFiles(dir: string, standards: Standards): Promise<string[]> {
  const written: string[] = [];
  for (const [name, text] of Object.entries(renderSchemaFiles(standards))) {
    const path = join(dir, name);
    await Deno.writeTextFile(path, text);
    written.push(path);
  }
  return written;
}

/**
 * The schema files in `dir` that are missing or differ from what `standards` generates.
 *
 * @returns File names, in `SCHEMA_FILES` order; empty when all are up to date.
 */
export async function staleSchemaFiles(dir: string, standards: Standards): Promise<SchemaFile[]> {
  const stale: SchemaFile[] = [];
  for (const [name, text] of Object.entries(renderSchemaFiles(standards))) {
    const current = await Deno.readTextFile(join(dir, name)).catch((error: unknown) => {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    });
    if (current !== text) stale.push(name as SchemaFile);
  }
  return stale;
}

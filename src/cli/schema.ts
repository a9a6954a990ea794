/**
 * `mlp schema`: writes (or checks) the JSON Schemas editors use for the project's config files.
 *
 * @module
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { CheckError, InputError } from "../errors.ts";
import { SCHEMA_FILES } from "../config/json_schema.ts";
import { staleSchemaFiles, writeSchemaFiles } from "../config/schema_files.ts";
import { loadStandards } from "../config/standards.ts";
import { findProjectRoot, projectPaths, projectRelative } from "../project/paths.ts";

/** Adds `mlp schema` to the command tree. */
export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description(
      `Write ${SCHEMA_FILES.join(", ")} from the project's project_standards.yaml.`,
    )
    .option("--out <dir>", "directory to write into (default: the project's configs/)")
    .option("--check", "write nothing; exit 1 if any schema file is missing or out of date")
    .addHelpText(
      "after",
      "\nRun it after every change to configs/project_standards.yaml and commit the result.\n" +
        "\nExample:\n  mlp schema\n  mlp schema --check\n",
    )
    .action(async (options: { out?: string; check?: boolean }) => {
      const root = findProjectRoot();
      const paths = projectPaths(root);
      const standards = await loadStandards(
        paths.standards,
        projectRelative(root, paths.standards),
      );
      const dir = options.out ? resolve(options.out) : resolve(root, "configs");
      const show = (path: string) => projectRelative(root, path);
      if (options.check) {
        const stale = await staleSchemaFiles(dir, standards);
        const all = SCHEMA_FILES.map((name) => show(resolve(dir, name)));
        if (stale.length > 0) {
          throw new CheckError(
            `${stale.length} of ${SCHEMA_FILES.length} JSON Schema files are missing or out of date`,
            {
              details: stale.map((name) => show(resolve(dir, name))),
              hint: `run \`mlp schema${
                options.out ? ` --out ${options.out}` : ""
              }\` and commit the result`,
            },
          );
        }
        console.log(`ok: ${all.join(", ")} are up to date`);
        return;
      }
      const stat = await Deno.stat(dir).catch(() => undefined);
      if (!stat?.isDirectory) {
        throw new InputError(`Output directory "${show(dir)}" does not exist`, {
          hint: "create it first, or omit --out to write into configs/",
        });
      }
      for (const path of await writeSchemaFiles(dir, standards)) console.log(`wrote ${show(path)}`);
    });
}

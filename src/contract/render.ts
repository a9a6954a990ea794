/**
 * What the platform Python reads of the contract, rendered from the zod schemas and lists of this
 * capability: JSON files checked in beside the Python (`src/python/mlp_platform/`), copied with it
 * into every project (`materializePlatform`) and hashed into `mlp_build`. `scripts/contract.ts`
 * writes them; its `--check` fails when they are out of date.
 *
 * The schemas describe what may arrive (zod's `input` side): a field with a default may be absent,
 * and the Python fills in the default the schema names.
 *
 * @module
 */
import { z } from "zod";
import { dataSummarySchema } from "./data_summary.ts";
import { platformEventSchema } from "./events.ts";
import { SHARED_LISTS } from "./lists.ts";
import { runPlanSchema } from "./plan.ts";

/** Where the files live in this repository, relative to its root. */
export const CONTRACT_DIR = "src/python/mlp_platform";

const GENERATED = "Generated from src/contract/ by `deno run -A scripts/contract.ts`: do not edit.";

/** The contract files, by file name, each as its text. */
export function renderContractFiles(): Record<string, string> {
  return {
    "plan.schema.json": schemaText(runPlanSchema, "The run plan (plan.json), plan_version 2."),
    "events.schema.json": schemaText(
      platformEventSchema,
      "One line of the platform's event channel.",
    ),
    "data_summary.schema.json": schemaText(
      dataSummarySchema,
      "A dataset's summary (mlp data describe --json, a run's mlp/data_summary.json).",
    ),
    "lists.json": json({ $comment: GENERATED, ...SHARED_LISTS }),
  };
}

function schemaText(schema: z.ZodType, title: string): string {
  const { $schema, ...rest } = z.toJSONSchema(schema, { io: "input" });
  return json({ $schema, $comment: GENERATED, title, ...rest });
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

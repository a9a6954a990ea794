/**
 * JSON Schemas (draft 2020-12) of the three config files, for editors: completion, hover text and
 * live errors while writing YAML. They are generated from the same zod schemas mlp validates with,
 * plus what zod cannot express as JSON Schema (hyperparameters per model type, the date column of
 * temporal_split). mlp itself never validates with them.
 *
 * @module
 */
import { z } from "zod";
import { experimentSchema } from "./experiment.ts";
import { reasoningSchema } from "./reasoning.ts";
import { type HyperparameterSpec, type Standards, standardsSchema } from "./standards.ts";

/** A JSON Schema document. */
export type JsonSchema = Record<string, unknown>;

/** File names of the generated schemas, in the order mlp writes them. */
export const SCHEMA_FILES = [
  "experiment.schema.json",
  "reasoning.schema.json",
  "project_standards.schema.json",
] as const;

/** The name of one generated schema file. */
export type SchemaFile = (typeof SCHEMA_FILES)[number];

/** Converts a zod schema as its input side (defaults make fields optional). */
function toJsonSchema(schema: z.ZodType, title: string): JsonSchema {
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input" }) as JsonSchema;
  const { $schema, ...rest } = json;
  return { $schema, title, ...rest };
}

/** The JSON Schema of one hyperparameter spec. */
function specJsonSchema(spec: HyperparameterSpec): JsonSchema {
  const json: JsonSchema = { type: spec.type };
  if (spec.description !== undefined) json.description = spec.description;
  if (spec.min !== undefined) json.minimum = spec.min;
  if (spec.max !== undefined) json.maximum = spec.max;
  if (spec.choices !== undefined) json.enum = spec.choices;
  return json;
}

/**
 * The JSON Schema of experiment.yaml for a project's standards.
 *
 * @example Usage
 * ```ts
 * import { experimentJsonSchema } from "./json_schema.ts";
 * import { loadStandards } from "./standards.ts";
 * const schema = experimentJsonSchema(await loadStandards("configs/project_standards.yaml"));
 * schema.title; // => "mlp experiment.yaml"
 * ```
 */
export function experimentJsonSchema(standards: Standards): JsonSchema {
  const json = toJsonSchema(experimentSchema(standards), "mlp experiment.yaml");
  const conditions: JsonSchema[] = standards.allowed_model_types.map((model) => ({
    if: { properties: { model_type: { const: model } }, required: ["model_type"] },
    then: {
      properties: {
        hyperparameters: {
          type: "object",
          properties: Object.fromEntries(
            Object.entries(standards.hyperparameters[model] ?? {}).map((
              [name, spec],
            ) => [name, specJsonSchema(spec)]),
          ),
          additionalProperties: false,
        },
      },
    },
  }));
  if (standards.allowed_split_strategies.includes("temporal_split")) {
    conditions.push({
      if: {
        properties: {
          evaluation: {
            properties: { split_strategy: { const: "temporal_split" } },
            required: ["split_strategy"],
          },
        },
        required: ["evaluation"],
      },
      then: { properties: { protected: { required: ["date_column"] } } },
    });
  }
  return { ...json, allOf: conditions };
}

/** The JSON Schema of reasoning.yaml for a project's standards. */
export function reasoningJsonSchema(standards: Standards): JsonSchema {
  return toJsonSchema(reasoningSchema(standards), "mlp reasoning.yaml");
}

/** The JSON Schema of project_standards.yaml (the same for every project). */
export function standardsJsonSchema(): JsonSchema {
  return toJsonSchema(standardsSchema, "mlp project_standards.yaml");
}

/**
 * The text of every schema file for a project's standards: 2-space JSON and a final newline.
 *
 * @example Usage
 * ```ts
 * import { renderSchemaFiles } from "./json_schema.ts";
 * import { loadStandards } from "./standards.ts";
 * const files = renderSchemaFiles(await loadStandards("configs/project_standards.yaml"));
 * Object.keys(files); // => ["experiment.schema.json", "reasoning.schema.json", "project_standards.schema.json"]
 * ```
 */
export function renderSchemaFiles(standards: Standards): Record<SchemaFile, string> {
  const render = (schema: JsonSchema) => `${JSON.stringify(schema, null, 2)}\n`;
  return {
    "experiment.schema.json": render(experimentJsonSchema(standards)),
    "reasoning.schema.json": render(reasoningJsonSchema(standards)),
    "project_standards.schema.json": render(standardsJsonSchema()),
  };
}

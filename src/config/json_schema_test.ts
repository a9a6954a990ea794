import assert from "node:assert/strict";
import { join } from "node:path";
import {
  experimentJsonSchema,
  reasoningJsonSchema,
  renderSchemaFiles,
  SCHEMA_FILES,
  standardsJsonSchema,
} from "./json_schema.ts";
import { staleSchemaFiles, writeSchemaFiles } from "./schema_files.ts";
import { parseStandards } from "./standards.ts";

const CONFIGS = new URL("../../configs/", import.meta.url);
const standards = parseStandards(
  await Deno.readTextFile(new URL("project_standards.yaml", CONFIGS)),
  "configs/project_standards.yaml",
);

/** The shape of the conditions experimentJsonSchema() adds. */
interface Condition {
  if: unknown;
  then: {
    properties: {
      hyperparameters: { properties: Record<string, unknown>; additionalProperties: boolean };
    };
  };
}

Deno.test("experimentJsonSchema() carries the project's allowed values and per-model hyperparameters", () => {
  const schema = experimentJsonSchema(standards);
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.equal(schema.title, "mlp experiment.yaml");
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  assert.deepEqual(properties.model_type.enum, standards.allowed_model_types);
  assert.deepEqual(schema.required, [
    "project_name",
    "client_name",
    "use_case",
    "dataset_version",
    "model_type",
    "random_seed",
    "hyperparameters",
    "evaluation",
    "protected",
  ]);
  const conditions = schema.allOf as Condition[];
  assert.equal(conditions.length, 5);
  assert.deepEqual(conditions[2].if, {
    properties: { model_type: { const: "logistic_regression" } },
    required: ["model_type"],
  });
  assert.deepEqual(conditions[2].then.properties.hyperparameters.properties.class_weight, {
    type: "string",
    description: "Class reweighting.",
    enum: ["none", "balanced"],
  });
  assert.equal(conditions[2].then.properties.hyperparameters.additionalProperties, false);
  assert.deepEqual(conditions[4].then, {
    properties: { protected: { required: ["date_column"] } },
  });
});

Deno.test("reasoningJsonSchema() lists the hypothesis categories; standards schema is fixed", () => {
  const reasoning = reasoningJsonSchema(standards);
  const properties = reasoning.properties as Record<string, Record<string, unknown>>;
  assert.deepEqual(properties.hypothesis_category.enum, standards.hypothesis_categories);
  assert.deepEqual(reasoning.required, ["hypothesis_category", "change_description"]);
  assert.equal(standardsJsonSchema().additionalProperties, false);
});

Deno.test("renderSchemaFiles() writes 2-space JSON with a final newline", () => {
  const files = renderSchemaFiles(standards);
  assert.deepEqual(Object.keys(files), [...SCHEMA_FILES]);
  assert.equal(
    files["reasoning.schema.json"],
    `${JSON.stringify(reasoningJsonSchema(standards), null, 2)}\n`,
  );
});

Deno.test("configs/*.schema.json are generated from configs/project_standards.yaml", async () => {
  assert.deepEqual(
    await staleSchemaFiles(CONFIGS.pathname, standards),
    [],
    "the schemas in configs/ are stale: run `bin/mlp schema` at the mlp repository root",
  );
});

Deno.test("writeSchemaFiles() and staleSchemaFiles() agree", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.deepEqual(await staleSchemaFiles(dir, standards), [...SCHEMA_FILES]);
    assert.deepEqual(
      await writeSchemaFiles(dir, standards),
      SCHEMA_FILES.map((name) => join(dir, name)),
    );
    assert.deepEqual(await staleSchemaFiles(dir, standards), []);
    await Deno.writeTextFile(join(dir, "reasoning.schema.json"), "{}\n");
    assert.deepEqual(await staleSchemaFiles(dir, standards), ["reasoning.schema.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

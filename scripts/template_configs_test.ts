import assert from "node:assert/strict";
import { join } from "node:path";
import { parseStandards } from "../src/config/standards.ts";
import { schemaTemplates, standardsTemplate, templateConfigs } from "./template_configs.ts";

const ROOT = new URL("..", import.meta.url).pathname;

const STANDARDS = `# rules
protected_fields:
  metric_definition: roc_auc
  split_strategy: stratified_kfold  # keep
  # label
  target_column: default
  positive_class: 1

allowed_metrics: [roc_auc, f1]
allowed_split_strategies: [stratified_kfold, temporal_split]
allowed_model_types: [xgboost]
hypothesis_categories: [feature_addition]
hyperparameters:
  xgboost:
    max_depth: { type: integer, min: 1, max: 16 }
metric_directions: { roc_auc: higher, f1: higher }
outcome: { min_effect: 0.002, confidence: 0.95 }
`;

Deno.test("standardsTemplate() puts the answers in place of the protected values", () => {
  assert.equal(
    standardsTemplate(STANDARDS),
    `# rules
protected_fields:
  metric_definition: {{ metric }}
  split_strategy: {{ split_strategy }}  # keep
  # label
  target_column: {{ target_column }}
{%- if split_strategy == "temporal_split" %}
  # The column that orders rows in time for the temporal split.
  date_column: {{ date_column }}
{%- endif %}
  positive_class: {{ positive_class | tojson }}

allowed_metrics: [roc_auc, f1]
allowed_split_strategies: [stratified_kfold, temporal_split]
allowed_model_types: [xgboost]
hypothesis_categories: [feature_addition]
hyperparameters:
  xgboost:
    max_depth: { type: integer, min: 1, max: 16 }
metric_directions: { roc_auc: higher, f1: higher }
outcome: { min_effect: 0.002, confidence: 0.95 }
`,
  );
});

Deno.test("standardsTemplate() refuses defaults without a protected field", () => {
  assert.throws(
    () => standardsTemplate(STANDARDS.replace("  target_column: default\n", "")),
    {
      message:
        'configs/project_standards.yaml: protected_fields has no "target_column: <value>" line',
    },
  );
});

Deno.test("standardsTemplate() refuses text Copier would read as Jinja", () => {
  assert.throws(
    () => standardsTemplate(`${STANDARDS}# {{ x }}\n`),
    {
      message:
        'configs/project_standards.yaml contains "{{", "{%" or "{#", which Copier would read as Jinja',
    },
  );
});

Deno.test("schemaTemplates() templates only the schema that depends on the answers", () => {
  const files = schemaTemplates(parseStandards(STANDARDS, "standards.yaml"));
  assert.deepEqual(Object.keys(files), [
    "experiment.schema.json.jinja",
    "reasoning.schema.json",
    "project_standards.schema.json",
  ]);
  const experiment = files["experiment.schema.json.jinja"];
  assert.ok(experiment.startsWith('{% if split_strategy == "temporal_split" %}{\n'));
  assert.ok(experiment.endsWith("}\n{% endif %}"));
  assert.ok(experiment.includes('"Protected; the standards require \\"{{ metric }}\\"."'));
  assert.ok(experiment.includes('"Protected; the standards require \\"{{ date_column }}\\"."'));
  assert.ok(!experiment.includes("@@"));
});

Deno.test("template/configs is in step with configs/project_standards.yaml", async () => {
  const expected = templateConfigs(
    await Deno.readTextFile(join(ROOT, "configs/project_standards.yaml")),
  );
  for (const [name, text] of Object.entries(expected)) {
    assert.equal(
      await Deno.readTextFile(join(ROOT, "template/configs", name)),
      text,
      `template/configs/${name} is stale: run \`deno run -A scripts/template_configs.ts\``,
    );
  }
});

/**
 * Keeps the template's configs in step with mlp's defaults. A generated project's
 * `configs/project_standards.yaml` is mlp's `configs/project_standards.yaml` with the protected
 * values taken from the Copier answers, and its JSON Schemas are exactly what `mlp schema` writes
 * for those standards, so `mlp schema --check` passes in a new project whatever the answers.
 *
 * Run `deno run -A scripts/template_configs.ts` after changing `configs/project_standards.yaml` or
 * the schema generator, and commit the result; `--check` writes nothing and exits 1 when the
 * template is out of date.
 *
 * @module
 */
import { join } from "node:path";
import { renderSchemaFiles, SCHEMA_FILES } from "../src/config/json_schema.ts";
import { parseStandards, type Standards } from "../src/config/standards.ts";
import { exists } from "../src/project/exists.ts";

/**
 * The Jinja expression of the Copier answer that fills each protected field of the default
 * standards. `positive_class` is a YAML answer (an integer or a string), written as JSON so that a
 * string stays a string ("1" is not 1).
 */
const ANSWER_OF_FIELD = {
  metric_definition: "metric",
  split_strategy: "split_strategy",
  target_column: "target_column",
  positive_class: "positive_class | tojson",
} as const;

/** A line of `protected_fields` that takes an answer: indent and key, value, the rest. */
const PROTECTED_LINE =
  /^( {2}(metric_definition|split_strategy|target_column|positive_class): )(\S+)(.*)$/;

const TEMPORAL = '{% if split_strategy == "temporal_split" %}';

/** Stand-ins for the answers while rendering schemas; replaced by Jinja expressions afterwards. */
const SENTINEL = {
  metric: "@@metric@@",
  target_column: "@@target_column@@",
  date_column: "@@date_column@@",
} as const;

/**
 * The template's `configs/project_standards.yaml.jinja`: the default standards with the value of
 * each protected field replaced by its Copier answer, and `date_column` protected when the answer
 * is temporal_split. Comments and layout are kept, so the template diffs cleanly against mlp's file.
 *
 * @throws {Error} when the defaults lack one of the protected fields or contain Jinja delimiters.
 */
export function standardsTemplate(defaults: string): string {
  assertNoJinja(defaults, "configs/project_standards.yaml");
  const lines = defaults.split("\n");
  const start = lines.indexOf("protected_fields:");
  if (start < 0) throw new Error('configs/project_standards.yaml has no "protected_fields:" line');
  const out = lines.slice(0, start + 1);
  const found = new Set<string>();
  let index = start + 1;
  for (; index < lines.length && (lines[index].startsWith("  ") || lines[index] === ""); index++) {
    const match = PROTECTED_LINE.exec(lines[index]);
    if (!match) {
      out.push(lines[index]);
      continue;
    }
    const [, prefix, field, , rest] = match;
    found.add(field);
    out.push(`${prefix}{{ ${ANSWER_OF_FIELD[field as keyof typeof ANSWER_OF_FIELD]} }}${rest}`);
    if (field === "target_column") {
      out.push(
        `{%- if split_strategy == "temporal_split" %}`,
        "  # The column that orders rows in time for the temporal split.",
        "  date_column: {{ date_column }}",
        "{%- endif %}",
      );
    }
  }
  for (const field of Object.keys(ANSWER_OF_FIELD)) {
    if (!found.has(field)) {
      throw new Error(
        `configs/project_standards.yaml: protected_fields has no "${field}: <value>" line`,
      );
    }
  }
  return [...out, ...lines.slice(index)].join("\n");
}

/**
 * The template's schema files, by file name: a plain `.json` when the schema is the same for every
 * answer, else a `.json.jinja` that holds the stratified and the temporal variant with the answers
 * as Jinja expressions.
 */
export function schemaTemplates(standards: Standards): Record<string, string> {
  const variant = (temporal: boolean): Standards => ({
    ...standards,
    protected_fields: {
      ...standards.protected_fields,
      metric_definition: SENTINEL.metric,
      split_strategy: temporal ? "temporal_split" : "stratified_kfold",
      target_column: SENTINEL.target_column,
      ...(temporal ? { date_column: SENTINEL.date_column } : {}),
    },
  });
  const stratified = renderSchemaFiles(variant(false));
  const temporal = renderSchemaFiles(variant(true));
  const files: Record<string, string> = {};
  for (const name of SCHEMA_FILES) {
    assertNoJinja(stratified[name] + temporal[name], name);
    if (stratified[name] === temporal[name] && !hasSentinel(stratified[name])) {
      files[name] = stratified[name];
    } else {
      files[`${name}.jinja`] = `${TEMPORAL}${jinjaAnswers(temporal[name])}{% else %}${
        jinjaAnswers(stratified[name])
      }{% endif %}`;
    }
  }
  return files;
}

/** Every file the template's `configs/` takes from mlp's defaults, by file name. */
export function templateConfigs(defaults: string): Record<string, string> {
  return {
    "project_standards.yaml.jinja": standardsTemplate(defaults),
    ...schemaTemplates(parseStandards(defaults, "configs/project_standards.yaml")),
  };
}

function hasSentinel(text: string): boolean {
  return Object.values(SENTINEL).some((sentinel) => text.includes(sentinel));
}

function jinjaAnswers(text: string): string {
  let out = text;
  for (const [answer, sentinel] of Object.entries(SENTINEL)) {
    out = out.replaceAll(sentinel, `{{ ${answer} }}`);
  }
  return out;
}

function assertNoJinja(text: string, name: string): void {
  if (/\{\{|\{%|\{#/.test(text)) {
    throw new Error(`${name} contains "{{", "{%" or "{#", which Copier would read as Jinja`);
  }
}

/** Files of `dir` that are missing or differ from `expected`, plus stale ones to remove. */
async function outOfDate(dir: string, expected: Record<string, string>): Promise<string[]> {
  const stale: string[] = [];
  for (const [name, text] of Object.entries(expected)) {
    const current = await Deno.readTextFile(join(dir, name)).catch(() => undefined);
    if (current !== text) stale.push(name);
  }
  for (const name of [...SCHEMA_FILES, "project_standards.yaml"]) {
    for (const candidate of [name, `${name}.jinja`]) {
      if (!(candidate in expected) && await exists(join(dir, candidate))) stale.push(candidate);
    }
  }
  return stale;
}

async function main(args: string[]): Promise<number> {
  const root = new URL("..", import.meta.url).pathname;
  const dir = join(root, "template/configs");
  const expected = templateConfigs(
    await Deno.readTextFile(join(root, "configs/project_standards.yaml")),
  );
  const stale = await outOfDate(dir, expected);
  if (args.includes("--check")) {
    if (stale.length === 0) return 0;
    console.error(
      `template/configs is out of date: ${
        stale.join(", ")
      }; run \`deno run -A scripts/template_configs.ts\``,
    );
    return 1;
  }
  for (const name of stale) {
    if (name in expected) {
      await Deno.writeTextFile(join(dir, name), expected[name]);
      console.log(`wrote template/configs/${name}`);
    } else {
      await Deno.remove(join(dir, name));
      console.log(`removed template/configs/${name}`);
    }
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

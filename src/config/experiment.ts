/**
 * `configs/experiment.yaml`: what to run. Its schema is built at run time from the project's
 * standards, so the allowed model types, metrics, split strategies and hyperparameters are always
 * the project's own.
 *
 * @module
 */
import { z } from "zod";
import {
  configError,
  type ConfigProblem,
  invalid,
  isMapping,
  missing,
  notAllowed,
  show,
  unknown,
  valueAt,
  zodProblems,
} from "./problems.ts";
import {
  DEFAULT_POSITIVE_CLASS,
  type HyperparameterSpec,
  matchesType,
  positiveClassSchema,
  type ProtectedValue,
  REQUIRED_PROTECTED_FIELDS,
  type Standards,
} from "./standards.ts";
import { parseYamlStrict } from "./yaml_strict.ts";

/** A hyperparameter value as YAML writes it. */
export type HyperparameterValue = string | number | boolean;

/** The `evaluation` section: how the model is scored. */
export interface EvaluationConfig {
  /** The primary metric; equals `protected.metric_definition`. */
  metric: string;
  /** How rows are split; equals `protected.split_strategy`. */
  split_strategy: string;
  /** Folds for stratified_kfold (2..20, default 5). */
  n_splits: number;
  /** Share of the latest rows held out by temporal_split ((0, 0.9], default 0.2). */
  test_fraction: number;
  /** Probability above which a row is predicted positive ((0, 1), default 0.5). */
  threshold: number;
}

/** The `protected` section: settings that may change only with a logged override. */
export interface ProtectedConfig {
  metric_definition: string;
  split_strategy: string;
  target_column: string;
  /** Column that orders rows in time; required for temporal_split. */
  date_column?: string;
  /** The class of `target_column` that is the event (an integer or a string); default 1. */
  positive_class: ProtectedValue;
  /** Further protected fields declared by the project's standards. */
  [name: string]: ProtectedValue | undefined;
}

/** A validated `configs/experiment.yaml`, defaults filled in. */
export interface ExperimentConfig {
  project_name: string;
  client_name: string;
  /** One of the standards' `allowed_use_cases`, recorded as the `use_case` tag. */
  use_case: string;
  /** SHA-256 of the dataset's manifest: the directory name under `data/shadow/`. */
  dataset_version: string;
  /** Always "auto": mlp computes the feature-pipeline hash. */
  feature_pipeline_version: "auto";
  model_type: string;
  random_seed: number;
  hyperparameters: Record<string, HyperparameterValue>;
  /** Free-form settings passed to `build_features`; hashed into the feature-pipeline hash. */
  features: Record<string, unknown>;
  evaluation: EvaluationConfig;
  protected: ProtectedConfig;
}

/** Split strategy that orders rows by time and so needs `protected.date_column`. */
const TEMPORAL_SPLIT = "temporal_split";

/** Fields of `evaluation` that must equal a field of `protected`, which is what is enforced. */
const MIRRORED = [["metric", "metric_definition"], ["split_strategy", "split_strategy"]] as const;

/** Largest seed numpy and scikit-learn accept (2^32 - 1). */
const MAX_SEED = 4294967295;

const identifier = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
  error: (issue) => {
    const rule = 'use letters, digits, "_", "." and "-", starting with a letter or digit';
    return `${show(issue.input)} is not a valid name: ${rule} (it names the MLflow experiment)`;
  },
});

const column = z.string().min(1);

/**
 * The zod schema of experiment.yaml for a project: structure, types, ranges and the allowed values
 * from `standards`. Per-model hyperparameters and cross-field rules are checked by
 * {@linkcode experimentRules}: zod skips refinements once a field has failed, and mlp reports
 * every problem at once.
 */
export function experimentSchema(standards: Standards) {
  const extraProtected: Record<string, z.ZodString> = {};
  for (const [name, reference] of Object.entries(standards.protected_fields)) {
    if (![...REQUIRED_PROTECTED_FIELDS, "positive_class"].includes(name)) {
      extraProtected[name] = column.describe(`Protected; the standards require "${reference}".`);
    }
  }
  return z.strictObject({
    project_name: identifier.describe(
      "Project identifier; with client_name it names the MLflow experiment.",
    ),
    client_name: identifier.describe("Client identifier, recorded as the client_name tag."),
    use_case: z.enum(standards.allowed_use_cases).describe(
      "What the model is for, one of the standards' allowed_use_cases; recorded as the use_case tag.",
    ),
    dataset_version: z.string().regex(/^[0-9a-f]{64}$/, {
      error: (issue) => {
        const rule = "use the 64 lowercase hex characters of a directory under data/shadow/";
        return `${show(issue.input)} is not a dataset hash: ${rule} (see \`mlp data ls\`)`;
      },
    }).describe("SHA-256 of the dataset: its directory name under data/shadow/."),
    feature_pipeline_version: z.literal("auto").default("auto").describe(
      "Always auto: mlp computes the feature-pipeline hash.",
    ),
    model_type: z.enum(standards.allowed_model_types).describe(
      "One of the project's allowed model types.",
    ),
    random_seed: z.int().min(0).max(MAX_SEED).describe("Seed for every random number generator."),
    hyperparameters: z.record(z.string(), z.unknown()).describe(
      "Hyperparameters of model_type, as the project's standards define them.",
    ),
    features: z.record(z.string(), z.unknown()).default({}).describe(
      "Free-form settings passed to build_features; hashed into the feature-pipeline hash.",
    ),
    evaluation: z.strictObject({
      metric: z.enum(standards.allowed_metrics).describe(
        "Primary metric; equals protected.metric_definition.",
      ),
      split_strategy: z.enum(standards.allowed_split_strategies).describe(
        "How rows are split; equals protected.split_strategy.",
      ),
      n_splits: z.int().min(2).max(20).default(5).describe("Folds for stratified_kfold."),
      test_fraction: z.number().gt(0).max(0.9).default(0.2).describe(
        "Share of the latest rows held out by temporal_split.",
      ),
      threshold: z.number().gt(0).lt(1).default(0.5).describe(
        "Probability above which a row is predicted positive.",
      ),
    }).describe("How the model is scored."),
    protected: z.strictObject({
      metric_definition: z.enum(standards.allowed_metrics).describe(
        `Protected; the standards require "${standards.protected_fields.metric_definition}".`,
      ),
      split_strategy: z.enum(standards.allowed_split_strategies).describe(
        `Protected; the standards require "${standards.protected_fields.split_strategy}".`,
      ),
      target_column: column.describe(
        `Protected; the standards require "${standards.protected_fields.target_column}".`,
      ),
      date_column: column.optional().describe(
        "Column that orders rows in time; required for temporal_split.",
      ),
      ...extraProtected,
      positive_class: positiveClassSchema.default(DEFAULT_POSITIVE_CLASS).describe(
        "Protected: the class of target_column that is the event (an integer, or a string in " +
          "quotes); every metric, plot and the model's probability are of this class.",
      ),
    }).describe("Settings that may change only with --override-protected, which is logged."),
  });
}

/**
 * The rules of experiment.yaml that depend on more than one field: hyperparameters valid for
 * `model_type`, evaluation equal to the protected settings, a date column for temporal_split, and
 * finite numbers in `features` (they are hashed as JSON). Works on the raw document.
 */
export function experimentRules(raw: unknown, standards: Standards): ConfigProblem[] {
  if (!isMapping(raw)) return [];
  const problems = hyperparameterRules(raw, standards);
  const evaluation = raw.evaluation;
  const protectedSection = raw.protected;
  for (const [field, reference] of MIRRORED) {
    const actual = valueAt(evaluation, [field]);
    const expected = valueAt(protectedSection, [reference]);
    if (typeof actual === "string" && typeof expected === "string" && actual !== expected) {
      problems.push(
        invalid(
          ["evaluation", field],
          `${show(actual)} differs from protected.${reference}, ${show(expected)}: make them equal`,
        ),
      );
    }
  }
  if (
    valueAt(evaluation, ["split_strategy"]) === TEMPORAL_SPLIT && isMapping(protectedSection) &&
    protectedSection.date_column === undefined
  ) {
    problems.push(
      missing(
        ["protected", "date_column"],
        `temporal_split orders rows by it: name the date column`,
      ),
    );
  }
  problems.push(...nonFiniteNumbers(raw.features, ["features"]));
  return problems;
}

/** Problems of the hyperparameters against the specs of the chosen model type. */
function hyperparameterRules(raw: Record<string, unknown>, standards: Standards): ConfigProblem[] {
  const model = raw.model_type;
  const values = raw.hyperparameters;
  if (typeof model !== "string" || !isMapping(values)) return [];
  if (!Object.hasOwn(standards.hyperparameters, model)) return [];
  const specs = standards.hyperparameters[model];
  const names = Object.keys(specs);
  const problems: ConfigProblem[] = [];
  for (const [name, value] of Object.entries(values)) {
    const path = ["hyperparameters", name];
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (spec === undefined) {
      problems.push(unknown(path, names, `is not a hyperparameter of model_type ${show(model)}`));
    } else {
      const clause = hyperparameterClause(value, spec);
      if (clause) problems.push(invalid(path, clause));
    }
  }
  return problems;
}

/** What is wrong with one hyperparameter value, or `undefined` when it fits its spec. */
function hyperparameterClause(value: unknown, spec: HyperparameterSpec): string | undefined {
  if (!matchesType(value, spec.type)) {
    const expected =
      { integer: "an integer", number: "a number", string: "a string", boolean: "true or false" }[
        spec.type
      ];
    return `${show(value)} is not ${expected}`;
  }
  if (spec.choices !== undefined && !spec.choices.includes(value as HyperparameterValue)) {
    return notAllowed(value, spec.choices);
  }
  if (spec.min !== undefined && (value as number) < spec.min) {
    return `${show(value)} is below the minimum ${spec.min}`;
  }
  if (spec.max !== undefined && (value as number) > spec.max) {
    return `${show(value)} is above the maximum ${spec.max}`;
  }
  return undefined;
}

/** Every number in `value` that JSON cannot represent (.inf, .nan), with its path. */
function nonFiniteNumbers(value: unknown, path: (string | number)[]): ConfigProblem[] {
  if (typeof value === "number" && !Number.isFinite(value)) {
    return [invalid(path, `${value} cannot be hashed as JSON: use a finite number or a string`)];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => nonFiniteNumbers(item, [...path, index]));
  }
  if (isMapping(value)) {
    return Object.entries(value).flatMap(([key, item]) => nonFiniteNumbers(item, [...path, key]));
  }
  return [];
}

/**
 * Parses and validates the text of an experiment.yaml against the project's standards.
 *
 * @param text The file's contents.
 * @param file The path to name in messages.
 * @param standards The project's standards.
 * @throws {InputError} listing every problem, each as `file:line:column: field "…" …`.
 *
 * @example Usage
 * ```ts
 * import { parseExperiment } from "./experiment.ts";
 * import { loadStandards } from "./standards.ts";
 * const standards = await loadStandards("configs/project_standards.yaml");
 * const text = await Deno.readTextFile("configs/experiment.yaml");
 * parseExperiment(text, "configs/experiment.yaml", standards).evaluation.n_splits; // => 5
 * ```
 */
export function parseExperiment(
  text: string,
  file: string,
  standards: Standards,
): ExperimentConfig {
  const doc = parseYamlStrict(text, file);
  const schema = experimentSchema(standards);
  const result = schema.safeParse(doc.value);
  const problems = [
    ...(result.success ? [] : zodProblems(result.error.issues, doc.value, schema)),
    ...experimentRules(doc.value, standards),
  ];
  if (problems.length > 0 || !result.success) {
    throw configError(
      file,
      doc,
      problems,
      "allowed values come from configs/project_standards.yaml; configs/experiment.schema.json describes every field",
    );
  }
  return result.data as ExperimentConfig;
}

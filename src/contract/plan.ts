/**
 * The run plan's schema: the one definition of `plan.json`, the file mlp writes for each run and
 * the supervisor and trainer read (`mlp_platform/plan.py`, through the generated
 * `plan.schema.json`).
 *
 * The plan holds no machine path and names no store: its paths are relative to the project root
 * (the supervisor runs there), and the store comes from `MLFLOW_TRACKING_URI`. The rules that tie
 * two fields together (the primary metric among the metrics, a date column for the temporal
 * split, a type for every hyperparameter) are refinements, which JSON Schema does not carry: the
 * Python loader checks them itself, and the golden tests hold the two to the same plans.
 *
 * @module
 */
import { z } from "zod";
import { matchesType } from "../config/standards.ts";
import {
  HYPERPARAMETER_TYPES,
  METRIC_DIRECTIONS,
  PLATFORM_METRICS,
  PLATFORM_SPLIT_STRATEGIES,
  SANDBOX_MODES,
} from "./lists.ts";

/** The plan format this mlp writes and its platform reads. */
export const PLAN_VERSION = 2;

/**
 * The end of the value. Not `$`: Python's `$` also matches before a final newline, and the same
 * pattern must mean the same in both languages.
 */
const END = String.raw`(?![\s\S])`;

/**
 * A non-empty POSIX path below its base: not absolute, no backslash, no `..` segment (the rule of
 * {@linkcode isProjectRelative}).
 */
export const RELATIVE_PATH = new RegExp(
  String.raw`^(?!/)(?![\s\S]*\\)(?!(?:[\s\S]*/)?\.\.(?:/|${END}))[\s\S]`,
);

/** True when `path` is below the project root in the plan's sense ({@linkcode RELATIVE_PATH}). */
export function isProjectRelative(path: string): boolean {
  return RELATIVE_PATH.test(path);
}

const text = z.string().min(1);
const projectPath = z.string().regex(RELATIVE_PATH).describe("a path relative to the project root");
const projectPaths = z.array(projectPath).describe("a list of paths relative to the project root");
const hyperparameterValue = z.union([z.string(), z.number(), z.boolean()]);

/** `training`: what the trainer fits and how the supervisor scores it. */
const trainingSchema = z.strictObject({
  model_type: text,
  hyperparameters: z.record(z.string(), hyperparameterValue),
  /** The spec type of each hyperparameter: JSON writes the number 1.0 as 1. */
  hyperparameter_types: z.record(z.string(), z.enum(HYPERPARAMETER_TYPES)),
  random_seed: z.int().min(0),
  features: z.record(z.string(), z.unknown()),
  target_column: text,
  /** Required (a string) for the temporal split. */
  date_column: text.nullable(),
  split_strategy: z.enum(PLATFORM_SPLIT_STRATEGIES),
  // The defaults of an absent field are the experiment config's.
  n_splits: z.int().min(2).default(5),
  test_fraction: z.number().gt(0).lt(1).default(0.2),
  threshold: z.number().gt(0).lt(1).default(0.5),
  /** The class of the target that is the event; the trainer encodes it as 1. */
  positive_class: z.union([z.int(), text]).default(1),
  metrics: z.array(z.enum(PLATFORM_METRICS)),
  primary_metric: z.enum(PLATFORM_METRICS),
});

/**
 * `comparison`: the baseline mlp chose for the run's outcome (docs/outcome.md, `src/outcome/`)
 * and the standards' thresholds; the supervisor computes the delta, test and outcome from it.
 */
export const comparisonSchema = z.strictObject({
  metric: z.enum(PLATFORM_METRICS),
  direction: z.enum(METRIC_DIRECTIONS),
  min_effect: z.number().min(0),
  confidence: z.number().gt(0).lt(1),
  /** The best prior comparable run, or `null`: the outcome is then `first`. */
  baseline: z.strictObject({
    run_id: text,
    /** Its pooled out-of-fold value of `metric`. */
    value: z.number(),
    /** Its `fold.<metric>` history in step order; `null` when it has none (an older run). */
    fold_scores: z.array(z.number()).nullable(),
    /** Its folds are this run's (k-fold with the same data, seed and number of folds). */
    same_folds: z.boolean(),
    /** What makes its folds differ from this run's, for the record ("random_seed 42, not 7"). */
    folds_differ: z.array(z.string()),
    /** A copy of its `mlp/oof_predictions.parquet` with the SHA-256 its seal holds, or `null`. */
    oof: z.strictObject({
      path: projectPath,
      sha256: z.string().regex(/^[0-9a-f]{64}(?![\s\S])/),
    }).nullable(),
  }).nullable(),
  /** The best prior run on other data with the same protected fields, when it beats the baseline. */
  better_elsewhere: z.strictObject({
    run_id: text,
    value: z.number(),
    dataset_hash: text,
  }).nullable(),
});

/** The schema of `plan.json`, with the rules that tie its fields together. */
export const runPlanSchema = z.strictObject({
  plan_version: z.literal(PLAN_VERSION),
  experiment_name: text,
  run_name: text.nullable(),
  tags: z.record(z.string(), z.string()),
  params: z.record(z.string(), z.string()),
  dataset: z.strictObject({
    dir: projectPath,
    hash: text,
    schema_hash: text,
    tables: z.array(z.string().regex(RELATIVE_PATH)).min(1).describe(
      "a non-empty list of file names inside the dataset directory",
    ),
  }),
  training: trainingSchema,
  sandbox: z.strictObject({
    mode: z.enum(SANDBOX_MODES),
    read_paths: projectPaths,
    write_paths: projectPaths,
    /** Can only raise the sandbox's floor of Landlock ABI 4; absent, the floor holds. */
    min_landlock_abi: z.int().min(1).optional(),
  }),
  project_src: projectPath,
  scratch_dir: projectPath,
  platform_dir: projectPath,
  /** What the outcome is judged against; `null` computes none (no metric delta, no outcome). */
  comparison: comparisonSchema.nullable().default(null),
}).superRefine((plan, context) => {
  const training = plan.training;
  if (!training.metrics.includes(training.primary_metric)) {
    context.addIssue({
      code: "custom",
      path: ["training", "primary_metric"],
      message: `"${training.primary_metric}" must be one of "training.metrics"`,
    });
  }
  if (training.split_strategy === "temporal_split" && training.date_column === null) {
    context.addIssue({
      code: "custom",
      path: ["training", "date_column"],
      message: "the temporal split needs a date column",
    });
  }
  const values = Object.keys(training.hyperparameters);
  const types = Object.keys(training.hyperparameter_types);
  for (const name of new Set([...values, ...types])) {
    const type = training.hyperparameter_types[name];
    if (!type || !Object.hasOwn(training.hyperparameters, name)) {
      context.addIssue({
        code: "custom",
        path: ["training", "hyperparameter_types", name],
        message: "every hyperparameter, and only those, has a type",
      });
    } else if (!matchesType(training.hyperparameters[name], type)) {
      context.addIssue({
        code: "custom",
        path: ["training", "hyperparameters", name],
        message: `must be of type ${type}`,
      });
    }
  }
});

/** What a run's outcome is judged against (`comparison` of the plan). */
export type Comparison = z.infer<typeof comparisonSchema>;

/** The plan file format shared with `src/python/mlp_platform/plan.py`. */
export type RunPlan = z.infer<typeof runPlanSchema>;

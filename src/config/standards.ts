/**
 * `configs/project_standards.yaml`: the project's governance rules — reference values of the
 * protected fields, the allowed metrics, split strategies, model types, hypothesis categories and
 * hyperparameters. Every other config is validated against it at run time, so nothing here is
 * hard-coded elsewhere except what the platform itself implements.
 *
 * @module
 */
import { z } from "zod";
import {
  HYPERPARAMETER_TYPES,
  type HyperparameterType,
  METRIC_DIRECTIONS,
  type MetricDirection,
  PLATFORM_METRICS,
  PLATFORM_SPLIT_STRATEGIES,
  type SplitStrategy,
} from "../contract/lists.ts";
import {
  configError,
  type ConfigProblem,
  invalid,
  isMapping,
  missing,
  oneOf,
  show,
  suggestion,
  unknown,
  valueAt,
  zodProblems,
} from "./problems.ts";
import { redactUri } from "../tracking/redact.ts";
import { readConfigText } from "./read.ts";
import { parseYamlStrict } from "./yaml_strict.ts";

/** Model types the platform's trainer knows how to build and fit. */
export const PLATFORM_MODEL_TYPES = [
  "xgboost",
  "lightgbm",
  "logistic_regression",
  "random_forest",
] as const;

/** Protected fields every project declares (more may be added per project). */
export const REQUIRED_PROTECTED_FIELDS = [
  "metric_definition",
  "split_strategy",
  "target_column",
] as const;

/**
 * The class of the target that is the event (a default, a fraud), when the configs name none:
 * every metric, plot and the model's probability are of this class.
 */
export const DEFAULT_POSITIVE_CLASS = 1;

/** The value of a protected field: a string, or for `positive_class` also an integer. */
export type ProtectedValue = string | number;

/**
 * Protected fields whose value the configs may leave out, and the value an absent one has. The
 * hook's raw comparison applies them the way the schemas' defaults do.
 */
export const PROTECTED_DEFAULTS: Readonly<Record<string, ProtectedValue>> = {
  positive_class: DEFAULT_POSITIVE_CLASS,
};

/**
 * `positive_class`: a class of the target, which datasets hold as integers or strings; exact, so
 * the string "1" is not the integer 1.
 */
export const positiveClassSchema = z.union([z.int(), z.string().min(1)], {
  error: (issue) =>
    `${
      show(issue.input)
    } is not an integer or a string: write the class of target_column that is the event, e.g. 1 or "bad"`,
});

/**
 * The largest file, in bytes, the pre-commit hook accepts in src/ and configs/ when the standards
 * set no `code_files.max_file_bytes`: ten times the largest config mlp generates, far above a
 * hand-written module, and below what a copy of production rows takes.
 */
export const DEFAULT_MAX_FILE_BYTES = 200_000;

/** `tracking_store` naming the project's own `mlflow.db`. */
export const PROJECT_STORE = "project";

/**
 * The use cases of a standards file that lists none (one written before `allowed_use_cases`):
 * the template's list.
 */
export const DEFAULT_USE_CASES = [
  "credit_risk",
  "fraud_detection",
  "churn",
  "collections",
  "marketing_response",
  "other",
] as const;

/** A model type the platform implements. */
export type ModelType = (typeof PLATFORM_MODEL_TYPES)[number];

/** What values one hyperparameter may take. */
export interface HyperparameterSpec {
  type: HyperparameterType;
  /** Inclusive lower bound (integer and number only). */
  min?: number;
  /** Inclusive upper bound (integer and number only). */
  max?: number;
  /** The only values allowed, each of `type`. */
  choices?: (string | number | boolean)[];
  /** Shown in editors through the generated JSON Schema. */
  description?: string;
}

/** What one model's tokens cost: USD per million tokens of each kind (`agent_pricing`). */
export interface AgentPrice {
  input: number;
  output: number;
  /** Prompt-cache reads ("cache hits"). */
  cache_read: number;
  /** Prompt-cache writes (the 5-minute rate). */
  cache_write: number;
}

/** The contents of `configs/project_standards.yaml`. */
export interface Standards {
  /** Reference value of each protected field of `experiment.yaml`'s `protected` section. */
  protected_fields: {
    metric_definition: string;
    split_strategy: string;
    target_column: string;
    /** The class of `target_column` that is the event; 1 when the file names none. */
    positive_class: ProtectedValue;
    [name: string]: ProtectedValue;
  };
  allowed_metrics: string[];
  allowed_split_strategies: SplitStrategy[];
  allowed_model_types: ModelType[];
  hypothesis_categories: string[];
  /** The use cases experiment.yaml's `use_case` may name (the `use_case` tag of every run). */
  allowed_use_cases: string[];
  /** model type → hyperparameter name → spec. */
  hyperparameters: Record<string, Record<string, HyperparameterSpec>>;
  /** What src/ and configs/ may hold besides code and configs: no file over `max_file_bytes`. */
  code_files: { max_file_bytes: number };
  /**
   * The store whose runs can prove a merge: `project` (the project's own `mlflow.db`) or the
   * address of the team's MLflow server, without credentials.
   */
  tracking_store: string;
  /** Which way each metric improves; every allowed metric has one (docs/outcome.md). */
  metric_directions: Partial<Record<string, MetricDirection>>;
  /** When a run's outcome is confirmed or negative rather than neutral (docs/outcome.md). */
  outcome: OutcomeThresholds;
  /** model id (or its prefix before a date) → price; empty when the file has none. */
  agent_pricing: Record<string, AgentPrice>;
  /** The ceiling of an ISO week's recorded agent spend of this project; absent: none. */
  agent_budget?: { weekly_usd: number };
  /** Where `mlp backup` writes, and when `mlp run` warns that the last verified backup is old. */
  backup: BackupSettings;
  /**
   * Who may approve an override or a promotion, each with an SSH public key: an approval's audit
   * entry is signed with it (docs/governance.md, "Signed approvals"). Empty: approvals are unsigned.
   */
  approvers: Approver[];
}

/** What an approver may approve: `override` (`mlp run --override-protected`), `promotion`. */
export const APPROVAL_KINDS = ["override", "promotion"] as const;
/** A kind of approval. */
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

/** One entry of `approvers`: a person, one of their SSH public keys, and what they may approve. */
export interface Approver {
  /** The identity the audit log names (the operator: git user.email or MLP_OPERATOR). */
  identity: string;
  /** An OpenSSH public key, `<type> <base64> [comment]`, as in a `.pub` file. */
  key: string;
  may: ApprovalKind[];
}

/**
 * An approver's identity: an e-mail-like name without the characters that are patterns or
 * separators in ssh-keygen's allowed-signers file (`*`, `?`, `!`, `,`, quotes, spaces).
 */
const APPROVER_IDENTITY = /^[A-Za-z0-9._%+:@-]+$/;
/** The public-key types ssh-keygen signs with, then the key's base64, then an optional comment. */
const SSH_PUBLIC_KEY =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,2}( [^\n]*)?$/;

const approverSchema = z.strictObject({
  identity: z.string().regex(APPROVER_IDENTITY, {
    error: (issue) =>
      `${
        show(issue.input)
      } is not an approver identity: use the e-mail the approver's git user.email (or MLP_OPERATOR) gives, without spaces, commas, quotes or wildcards`,
  }).describe("The approver's identity, as the audit log names the operator (git user.email)."),
  key: z.string().regex(SSH_PUBLIC_KEY, {
    error: (issue) =>
      `${
        show(issue.input)
      } is not an SSH public key: paste the one line of the approver's .pub file, e.g. "ssh-ed25519 AAAAC3Nza… jane@bank"`,
  }).describe("The approver's SSH public key, one line of a .pub file."),
  may: z.array(z.enum(APPROVAL_KINDS)).min(1).describe(
    "What this approver may approve: override (mlp run --override-protected), promotion (mlp promote).",
  ),
});

/** `backup` of the standards (docs/backup.md). */
export interface BackupSettings {
  /** The folder that holds the backups, relative to the project root unless absolute. */
  dir?: string;
  /** `mlp run` warns (once a day) when the last verified backup is older than this. */
  max_age_days: number;
}

/** `backup.max_age_days` when the file names none: a weekly backup, as `mlp backup --cron` sets up. */
export const DEFAULT_BACKUP_MAX_AGE_DAYS = 7;

/** `outcome` of the standards: the smallest change that counts, and the confidence it needs. */
export interface OutcomeThresholds {
  /** The smallest improvement (or loss), in the metric's units, that is not neutral. */
  min_effect: number;
  /** A change counts only when its p-value is below 1 - confidence. */
  confidence: number;
}

const NAME = /^[a-z][a-z0-9_]*$/;
/** A Python identifier: the trainer passes hyperparameters as keyword arguments. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const nameSchema = z.string().regex(NAME, {
  error: (issue) =>
    `${show(issue.input)} is not a valid name: use lowercase letters, digits and "_"`,
});

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const specSchema = z.strictObject({
  type: z.enum(HYPERPARAMETER_TYPES).describe("Value type of the hyperparameter."),
  min: z.number().optional().describe("Inclusive lower bound (integer and number only)."),
  max: z.number().optional().describe("Inclusive upper bound (integer and number only)."),
  choices: z.array(scalar).min(1).optional().describe("The only values allowed."),
  description: z.string().optional().describe("Shown in editors."),
});

const usdRate = z.number().min(0).refine(Number.isFinite, "must be a finite number");

const agentPriceSchema = z.strictObject({
  input: usdRate.describe("USD per million input tokens."),
  output: usdRate.describe("USD per million output tokens."),
  cache_read: usdRate.describe("USD per million prompt-cache read tokens."),
  cache_write: usdRate.describe("USD per million prompt-cache write tokens."),
});

/** The zod schema of project_standards.yaml (structure only; see {@linkcode standardsRules}). */
export const standardsSchema: z.ZodType<Standards> = z.strictObject({
  protected_fields: z.object({
    metric_definition: z.string().min(1),
    split_strategy: z.string().min(1),
    target_column: z.string().min(1),
    positive_class: positiveClassSchema.default(DEFAULT_POSITIVE_CLASS).describe(
      "The class of target_column that is the event: every metric, plot and the model's probability are of it.",
    ),
  }).catchall(z.string().min(1)).describe(
    "Reference value of each protected field of experiment.yaml's `protected` section.",
  ),
  allowed_metrics: z.array(z.enum(PLATFORM_METRICS)).min(1).describe(
    "Metrics an experiment may evaluate.",
  ),
  allowed_split_strategies: z.array(z.enum(PLATFORM_SPLIT_STRATEGIES)).min(1).describe(
    "Split strategies an experiment may use.",
  ),
  allowed_model_types: z.array(z.enum(PLATFORM_MODEL_TYPES)).min(1).describe(
    "Model types an experiment may use.",
  ),
  hypothesis_categories: z.array(nameSchema).min(1).describe(
    "Categories reasoning.yaml's hypothesis_category may take.",
  ),
  allowed_use_cases: z.array(nameSchema).min(1).default([...DEFAULT_USE_CASES]).describe(
    "Use cases experiment.yaml's use_case may name; they group projects across clients.",
  ),
  hyperparameters: z.record(z.string(), z.record(z.string(), specSchema)).describe(
    "For each allowed model type: hyperparameter name → spec.",
  ),
  code_files: z.strictObject({
    max_file_bytes: z.int().min(1).default(DEFAULT_MAX_FILE_BYTES).describe(
      "The largest file, in bytes, the pre-commit hook accepts in src/ and configs/.",
    ),
  }).default({ max_file_bytes: DEFAULT_MAX_FILE_BYTES }).describe(
    "What src/ and configs/ may hold: code and configs, never data (the pre-commit hook refuses data files there).",
  ),
  tracking_store: z.string().refine(isTrackingStore, {
    error: (issue) =>
      // The value is shown redacted: an error message may be logged where the password must not be.
      `${
        show(redactUri(String(issue.input)))
      } is not a store mlp can prove merges from: use "project" (the ` +
      "project's own mlflow.db) or the MLflow server's address, \"http(s)://host:port\", with no " +
      "user name or password (credentials go in MLFLOW_TRACKING_USERNAME/PASSWORD)",
  }).default(PROJECT_STORE).describe(
    "The store whose runs can prove a merge: \"project\" (the project's mlflow.db) or the team's MLflow server, http(s)://host:port.",
  ),
  metric_directions: z.partialRecord(z.enum(PLATFORM_METRICS), z.enum(METRIC_DIRECTIONS))
    .describe(
      "Which way each metric improves: higher or lower (log_loss, brier); every allowed metric needs one.",
    ),
  outcome: z.strictObject({
    min_effect: z.number().min(0).describe(
      "The smallest change of the primary metric against the baseline that is not neutral.",
    ),
    confidence: z.number().gt(0).lt(1).describe(
      "A change counts only when its p-value is below 1 - confidence.",
    ),
  }).describe("When a run's outcome is confirmed or negative (docs/outcome.md)."),
  agent_pricing: z.record(z.string().min(1), agentPriceSchema).default({}).describe(
    "What an agent's tokens cost, per model id (or its prefix before a date): USD per million tokens.",
  ),
  agent_budget: z.strictObject({
    weekly_usd: usdRate.describe(
      "The ceiling of an ISO week's recorded agent spend (USD) of this project.",
    ),
  }).optional().describe(
    "Once an ISO week's recorded agent spend exceeds the ceiling, agents' `mlp run` is refused.",
  ),
  backup: z.strictObject({
    dir: z.string().min(1).optional().describe(
      "The folder mlp backup writes to when neither --to nor MLP_BACKUP_DIR is given; relative to the project root unless absolute, and outside the project.",
    ),
    max_age_days: z.int().min(1).default(DEFAULT_BACKUP_MAX_AGE_DAYS).describe(
      "mlp run warns, once a day, when the last verified backup is older than this many days.",
    ),
  }).default({ max_age_days: DEFAULT_BACKUP_MAX_AGE_DAYS }).describe(
    "Backups of the project's runs (mlp backup, docs/backup.md).",
  ),
  approvers: z.array(approverSchema).default([]).describe(
    "Who may approve overrides and promotions, with the SSH public key that signs each approval; empty: approvals are recorded unsigned.",
  ),
});

/** `project`, or an http(s) URL without user info (a committed file holds no credentials). */
function isTrackingStore(value: string): boolean {
  if (value === PROJECT_STORE) return true;
  if (!/^https?:\/\//.test(value)) return false;
  try {
    const url = new URL(value);
    return url.username === "" && url.password === "";
  } catch {
    return false;
  }
}

/**
 * The rules zod cannot express: reference values that must be allowed, lists without repeats,
 * a hyperparameter table for exactly the allowed model types, and consistent specs. Works on
 * the raw document, so it reports alongside zod's problems even when the structure is wrong.
 */
export function standardsRules(raw: unknown): ConfigProblem[] {
  if (!isMapping(raw)) return [];
  return [...repeatRules(raw), ...referenceRules(raw), ...tableRules(raw), ...directionRules(raw)];
}

/** Allowed metrics without a direction: mlp could not tell an improvement from a loss. */
function directionRules(raw: Record<string, unknown>): ConfigProblem[] {
  const directions = raw.metric_directions;
  if (!isMapping(directions) || !Array.isArray(raw.allowed_metrics)) return [];
  return raw.allowed_metrics
    // A metric mlp does not implement is the schema's to report.
    .filter((metric) => PLATFORM_METRICS.includes(metric) && !(metric in directions))
    .map((metric) =>
      missing(
        ["metric_directions", metric],
        `every allowed metric needs a direction, "higher" or "lower" (log_loss: lower)`,
      )
    );
}

/** Values listed twice in one of the allowed-value lists. */
function repeatRules(raw: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const lists = [
    "allowed_metrics",
    "allowed_split_strategies",
    "allowed_model_types",
    "hypothesis_categories",
    "allowed_use_cases",
  ];
  for (const list of lists) {
    const values = raw[list];
    if (!Array.isArray(values)) continue;
    values.forEach((value, index) => {
      if (values.indexOf(value) !== index) {
        problems.push(invalid([list, index], `${show(value)} is listed twice`));
      }
    });
  }
  return problems;
}

/** Reference values of protected fields that their allowed-value list does not contain. */
function referenceRules(raw: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const references = [
    ["metric_definition", "allowed_metrics"],
    ["split_strategy", "allowed_split_strategies"],
  ];
  for (const [field, list] of references) {
    const value = valueAt(raw, ["protected_fields", field]);
    const allowed = raw[list];
    if (typeof value === "string" && Array.isArray(allowed) && !allowed.includes(value)) {
      const hint = suggestion(value, allowed.map(String));
      const clause = `${show(value)} is not in ${list}: use one of ${oneOf(allowed)}${hint}`;
      problems.push(invalid(["protected_fields", field], clause));
    }
  }
  return problems;
}

/** Hyperparameter tables missing for an allowed model type, or present for another; bad specs. */
function tableRules(raw: Record<string, unknown>): ConfigProblem[] {
  const tables = raw.hyperparameters;
  if (!isMapping(tables)) return [];
  const problems: ConfigProblem[] = [];
  // Model types mlp does not implement are reported by the schema; no table is asked of them.
  const models = Array.isArray(raw.allowed_model_types)
    ? raw.allowed_model_types.filter((model) => PLATFORM_MODEL_TYPES.includes(model))
    : [];
  for (const model of models) {
    if (!(model in tables)) {
      const what = "every allowed model type needs its hyperparameter specs (use {} for none)";
      problems.push(missing(["hyperparameters", model], what));
    }
  }
  for (const [model, table] of Object.entries(tables)) {
    if (!models.includes(model)) {
      problems.push(unknown(["hyperparameters", model], models, "is not in allowed_model_types"));
    }
    if (!isMapping(table)) continue;
    for (const [name, spec] of Object.entries(table)) {
      const path = ["hyperparameters", model, name];
      if (!IDENTIFIER.test(name)) {
        const text =
          ' is not a Python identifier: use letters, digits and "_", not starting with a digit';
        problems.push({ path, at: "key", text });
      }
      problems.push(...specRules(path, spec));
    }
  }
  return problems;
}

/** Consistency of one hyperparameter spec: bounds only on numbers, in order, choices typed. */
function specRules(path: string[], spec: unknown): ConfigProblem[] {
  if (!isMapping(spec) || typeof spec.type !== "string") return [];
  const problems: ConfigProblem[] = [];
  const numeric = spec.type === "integer" || spec.type === "number";
  for (const bound of ["min", "max"]) {
    const value = spec[bound];
    if (value === undefined) continue;
    if (!numeric) {
      problems.push(
        invalid([...path, bound], `bounds apply only to integer and number, not ${spec.type}`),
      );
    } else if (spec.type === "integer" && typeof value === "number" && !Number.isInteger(value)) {
      problems.push(invalid([...path, bound], `${value} is not an integer`));
    }
  }
  if (typeof spec.min === "number" && typeof spec.max === "number" && spec.min > spec.max) {
    problems.push(invalid([...path, "max"], `${spec.max} is below min ${spec.min}`));
  }
  if (Array.isArray(spec.choices)) {
    spec.choices.forEach((choice, index) => {
      if (!matchesType(choice, spec.type as HyperparameterType)) {
        problems.push(
          invalid([...path, "choices", index], `${show(choice)} is not of type ${spec.type}`),
        );
      }
    });
  }
  return problems;
}

/** True when `value` is a YAML value of hyperparameter type `type`. */
export function matchesType(value: unknown, type: HyperparameterType): boolean {
  switch (type) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
  }
}

const STANDARDS_HINT = "compare the file with mlp's default configs/project_standards.yaml; " +
  `mlp implements the metrics ${oneOf(PLATFORM_METRICS)}, ` +
  `the split strategies ${oneOf(PLATFORM_SPLIT_STRATEGIES)} ` +
  `and the model types ${oneOf(PLATFORM_MODEL_TYPES)}`;

/**
 * Parses and validates the text of a project_standards.yaml.
 *
 * @param text The file's contents.
 * @param file The path to name in messages.
 * @throws {InputError} listing every problem, each with its line.
 *
 * @example Usage
 * ```ts
 * import { parseStandards } from "./standards.ts";
 * const text = await Deno.readTextFile("configs/project_standards.yaml");
 * parseStandards(text, "configs/project_standards.yaml").allowed_model_types;
 * // => ["xgboost", "lightgbm", "logistic_regression", "random_forest"]
 * ```
 */
export function parseStandards(text: string, file: string): Standards {
  const doc = parseYamlStrict(text, file);
  const result = standardsSchema.safeParse(doc.value);
  const problems = [
    ...(result.success ? [] : zodProblems(result.error.issues, doc.value, standardsSchema)),
    ...standardsRules(doc.value),
  ];
  if (problems.length > 0 || !result.success) {
    throw configError(
      file,
      doc,
      problems,
      STANDARDS_HINT,
    );
  }
  return result.data;
}

/**
 * Reads and validates a project_standards.yaml from disk.
 *
 * @param path Path of the file to read.
 * @param file The path to name in messages (defaults to `path`).
 * @throws {InputError} when the file cannot be read or is invalid.
 */
export async function loadStandards(path: string, file: string = path): Promise<Standards> {
  const hint =
    "every mlp project has configs/project_standards.yaml: restore it from git, or copy mlp's default configs/project_standards.yaml";
  return parseStandards(await readConfigText(path, file, hint), file);
}

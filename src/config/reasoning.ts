/**
 * `configs/reasoning.yaml`: why an experiment is run. Recorded with the run as `reasoning.<field>`
 * so that later one can ask which kinds of change paid off.
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
  oneOf,
  show,
  zodProblems,
} from "./problems.ts";
import type { Standards } from "./standards.ts";
import { parseYamlStrict } from "./yaml_strict.ts";

/** What the change is expected to do. */
export const EXPECTED_EFFECTS = ["improve", "reduce_variance", "explore"] as const;
/** The outcomes a person may set with `mlp outcome` (mlp computes `first` itself). */
export const OUTCOMES = ["confirmed", "neutral", "negative"] as const;

/**
 * Fields that older reasoning files carried and mlp now computes itself (docs/outcome.md): a
 * `null` value is accepted and ignored, any other value refused.
 */
export const COMPUTED_FIELDS = ["outcome", "metric_delta"] as const;

const EFFECT_LIST = oneOf(EXPECTED_EFFECTS);

/** An expected effect. */
export type ExpectedEffect = (typeof EXPECTED_EFFECTS)[number];
/** An outcome. */
export type Outcome = (typeof OUTCOMES)[number];

/** A validated `configs/reasoning.yaml`; absent optional fields are `null`. */
export interface ReasoningConfig {
  /** One of the standards' hypothesis_categories. */
  hypothesis_category: string;
  /** What was changed and why. */
  change_description: string;
  /** Required when an agent runs the experiment. */
  expected_effect: ExpectedEffect | null;
}

/** Options of {@linkcode parseReasoning}. */
export interface ReasoningOptions {
  /** The operator is an AI agent: `expected_effect` becomes required. */
  agent: boolean;
}

/** The zod schema of reasoning.yaml for a project (categories from `standards`). */
export function reasoningSchema(standards: Standards) {
  return z.strictObject({
    hypothesis_category: z.enum(standards.hypothesis_categories).describe(
      "Kind of change, one of the project's hypothesis_categories.",
    ),
    change_description: z.string().regex(/\S/, {
      error: (issue) => `${show(issue.input)} is empty: say what was changed and why`,
    }).describe("What was changed and why."),
    expected_effect: z.enum(EXPECTED_EFFECTS).nullable().default(null).describe(
      "What the change should do; required when an agent runs the experiment.",
    ),
  });
}

/**
 * The environment variables {@linkcode isAgentOperator} reads, and `CLAUDE_CODE_SESSION_ID`, which
 * ties a run to the agent session that spent on it: the Claude Code hook refuses a command that
 * removes or sets them (`src/harness/bash_rules.ts`).
 */
export const AGENT_ENV_VARIABLES = [
  "MLP_AGENT",
  "CLAUDECODE",
  "CODEX_SANDBOX",
  "CODEX_CI",
  "CLAUDE_CODE_SESSION_ID",
] as const;

/**
 * True when the environment shows that an AI agent, not a person, runs mlp: `MLP_AGENT` is `1` or
 * `true`, `CLAUDECODE=1` (Claude Code sets it in its shells), or `CODEX_SANDBOX` / `CODEX_CI` is
 * set (Codex). `MLP_AGENT=0` does not override the others: an agent must not be able to declare
 * itself a person.
 */
export function isAgentOperator(env: Record<string, string | undefined>): boolean {
  const flag = env.MLP_AGENT?.toLowerCase();
  return flag === "1" || flag === "true" || env.CLAUDECODE === "1" || !!env.CODEX_SANDBOX ||
    !!env.CODEX_CI;
}

/** The rule that depends on who runs the experiment: agents must state the expected effect. */
function reasoningRules(raw: unknown, options: ReasoningOptions): ConfigProblem[] {
  if (!options.agent || !isMapping(raw)) return [];
  if (raw.expected_effect !== undefined && raw.expected_effect !== null) return [];
  return [
    missing(
      ["expected_effect"],
      `an agent runs this experiment, so say what the change should do: use one of ${EFFECT_LIST}`,
    ),
  ];
}

/**
 * The fields mlp computes, refused with a non-null value: a value written here would be a claim
 * about a run made before the run exists. Their `null` (older files) is accepted.
 */
function computedFieldRules(raw: unknown): ConfigProblem[] {
  if (!isMapping(raw)) return [];
  return COMPUTED_FIELDS.filter((key) => raw[key] !== undefined && raw[key] !== null).map((key) =>
    invalid(
      [key],
      `${show(raw[key])} is not yours to write: mlp computes ${key} for every finished run ` +
        "against the best earlier comparable run (docs/outcome.md); delete the line, and correct a " +
        'computed outcome with `mlp outcome RUN_ID confirmed|neutral|negative --reason "…"`',
    )
  );
}

/**
 * The document without the computed fields: older files carry them as `null`, and a value is
 * reported by {@linkcode computedFieldRules}, once.
 */
function withoutComputedFields(raw: unknown): unknown {
  if (!isMapping(raw)) return raw;
  const rest: Record<string, unknown> = { ...raw };
  for (const key of COMPUTED_FIELDS) delete rest[key];
  return rest;
}

/**
 * Parses and validates the text of a reasoning.yaml.
 *
 * @param text The file's contents.
 * @param file The path to name in messages.
 * @param standards The project's standards (for the hypothesis categories).
 * @param options Whether the operator is an agent (see {@linkcode isAgentOperator}).
 * @throws {InputError} listing every problem, each with its line.
 *
 * @example Usage
 * ```ts
 * import { parseReasoning } from "./reasoning.ts";
 * import { loadStandards } from "./standards.ts";
 * const standards = await loadStandards("configs/project_standards.yaml");
 * const text = "hypothesis_category: regularization\nchange_description: Lower depth\n";
 * parseReasoning(text, "configs/reasoning.yaml", standards, { agent: false }).expected_effect;
 * // => null
 * ```
 */
export function parseReasoning(
  text: string,
  file: string,
  standards: Standards,
  options: ReasoningOptions,
): ReasoningConfig {
  const doc = parseYamlStrict(text, file);
  const schema = reasoningSchema(standards);
  const computed = computedFieldRules(doc.value);
  const value = withoutComputedFields(doc.value);
  const result = schema.safeParse(value);
  const problems = [
    ...(result.success ? [] : zodProblems(result.error.issues, value, schema)),
    ...computed,
    ...reasoningRules(doc.value, options),
  ];
  if (problems.length > 0 || !result.success) {
    throw configError(
      file,
      doc,
      problems,
      "hypothesis categories come from configs/project_standards.yaml; configs/reasoning.schema.json describes every field",
    );
  }
  return result.data;
}

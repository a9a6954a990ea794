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
/** How the experiment turned out, filled in after the run. */
export const OUTCOMES = ["confirmed", "neutral", "negative"] as const;

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
  outcome: Outcome | null;
  /** Change of the primary metric against the best prior run. */
  metric_delta: number | null;
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
    outcome: z.enum(OUTCOMES).nullable().default(null).describe("Filled in after the run."),
    metric_delta: z.number().nullable().default(null).describe(
      "Change of the primary metric against the best prior run; filled in after the run.",
    ),
  });
}

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
  const result = schema.safeParse(doc.value);
  const problems = [
    ...(result.success ? [] : zodProblems(result.error.issues, doc.value, schema)),
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

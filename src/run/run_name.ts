/**
 * The default MLflow run name of a run without `--run-name`: what was tried, readable in the MLflow
 * UI's runs table instead of MLflow's random "wistful-ant-659". Pure.
 *
 * @module
 */
import type { ReasoningConfig } from "../config/reasoning.ts";

/** The longest default name, in characters (the runs table shows about this much). */
export const RUN_NAME_MAX = 64;

/** How many words of the change description the name keeps at most. */
const MAX_WORDS = 6;

/**
 * `<hypothesis_category>-<first words of change_description>`: the words lower-cased, apostrophes dropped, every
 * run of characters other than ASCII letters and digits a word break, at most six words and
 * {@linkcode RUN_NAME_MAX} characters (cut at a word boundary). The category is the standards' own
 * identifier, kept as it is.
 */
export function defaultRunName(
  reasoning: Pick<ReasoningConfig, "hypothesis_category" | "change_description">,
): string {
  // "template's" is one word, not "template" and "s".
  const words = reasoning.change_description.toLowerCase().replace(/['’]/g, "")
    .split(/[^a-z0-9]+/).filter((word) => word !== "");
  let name = reasoning.hypothesis_category;
  for (const word of words.slice(0, MAX_WORDS)) {
    if (name.length + 1 + word.length > RUN_NAME_MAX) break;
    name += `-${word}`;
  }
  return name;
}

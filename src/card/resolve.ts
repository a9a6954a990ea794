/**
 * Which run a run ID given to `mlp card` names, pure: the full 32 hex characters, or a unique
 * prefix of at least 8 (what `mlp run` prints in its outcome line).
 *
 * @module
 */
import { CheckError, InputError } from "../errors.ts";
import { didYouMean } from "../config/suggest.ts";

/** The shortest prefix of a run ID that mlp accepts. */
export const MIN_PREFIX = 8;

/**
 * The run ID `given` means, validated: lowercase hex, 8 to 32 characters.
 *
 * @throws {InputError} for anything else
 */
export function parseRunId(given: string): string {
  const id = given.trim().toLowerCase();
  if (!new RegExp(`^[0-9a-f]{${MIN_PREFIX},32}$`).test(id)) {
    throw new InputError(`"${given}" is not an MLflow run ID`, {
      hint: `give the 32 hex characters \`mlp run\` printed, or their first ${MIN_PREFIX} or more`,
    });
  }
  return id;
}

/**
 * The one ID of `known` (every run ID of the store) that starts with `prefix`.
 *
 * @param where the store, for messages
 * @throws {InputError} when several do (they are listed)
 * @throws {CheckError} when none does, with the closest run ID when one is close
 */
export function resolveRunId(prefix: string, known: readonly string[], where: string): string {
  const matches = [...new Set(known.filter((id) => id.startsWith(prefix)))].sort();
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new InputError(
      `Run ID prefix "${prefix}" is ambiguous: ${matches.length} runs start so`,
      {
        details: matches.slice(0, 10),
        hint: "give more characters of the run ID, or all 32",
      },
    );
  }
  const heads = new Map(known.map((id) => [id.slice(0, prefix.length), id]));
  const guess = didYouMean(prefix, [...heads.keys()]);
  throw new CheckError(
    `No run "${prefix}" in the store "${where}"` +
      (guess === undefined ? "" : ` (did you mean "${heads.get(guess)}"?)`),
    {
      hint: "give a run ID `mlp run` printed for this project; `mlp card` reads the store that " +
        "configs/project_standards.yaml names (tracking_store)",
    },
  );
}

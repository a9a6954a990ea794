/**
 * Which way each metric improves, for best-so-far, best runs and runs-to-target. The project's
 * standards declare it (`metric_directions` in configs/project_standards.yaml, read with the
 * standards' own loader); a query outside a project, or of a standards file that does not load
 * (one from before that key), uses the platform's defaults below, which are the template's values.
 *
 * @module
 */
import { InputError, MlpError } from "../errors.ts";
import type { Direction } from "./stats.ts";

/** The template's `metric_directions` (directions_test.ts keeps the two equal). */
export const DEFAULT_DIRECTIONS: Readonly<Record<string, Direction>> = {
  roc_auc: "higher",
  pr_auc: "higher",
  log_loss: "lower",
  brier: "lower",
  f1: "higher",
  precision: "higher",
  recall: "higher",
  accuracy: "higher",
};

/**
 * The directions of `standardsText` (a project_standards.yaml, `file` for messages) over the
 * defaults; `null` text (no project) gives the defaults. A file that does not load is the
 * validator's to report (`mlp validate`); the defaults apply to it here. The standards' loader
 * (zod and the YAML parser) is imported only when there is a file to read.
 */
export async function readDirections(
  standardsText: string | null,
  file = "configs/project_standards.yaml",
): Promise<Record<string, Direction>> {
  const directions: Record<string, Direction> = { ...DEFAULT_DIRECTIONS };
  if (standardsText === null) return directions;
  const { parseStandards } = await import("../config/standards.ts");
  try {
    for (
      const [metric, direction] of Object.entries(
        parseStandards(standardsText, file).metric_directions,
      )
    ) {
      if (direction) directions[metric] = direction;
    }
  } catch (error) {
    if (!(error instanceof MlpError)) throw error;
  }
  return directions;
}

/**
 * A lookup that refuses a metric with no known direction.
 *
 * @throws {InputError} (when called) naming the metric and the known ones.
 */
export function directionOf(directions: Record<string, Direction>): (metric: string) => Direction {
  return (metric) => {
    const direction = directions[metric];
    if (direction) return direction;
    throw new InputError(`No direction is known for metric "${metric}"`, {
      hint: `declare it under metric_directions in configs/project_standards.yaml (higher or ` +
        `lower); known: ${Object.keys(directions).join(", ")}`,
    });
  };
}

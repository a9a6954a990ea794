/**
 * Which way each metric improves, for best-so-far, best runs and runs-to-target. The project's
 * standards declare it (`metric_directions` in configs/project_standards.yaml); a query outside
 * a project, or of a standards file from before that key, uses the platform's defaults below,
 * which are the template's values.
 *
 * @module
 */
import { parse } from "yaml";
import { InputError } from "../errors.ts";
import type { Direction } from "./stats.ts";

/** The template's `metric_directions`. */
export const DEFAULT_DIRECTIONS: Readonly<Record<string, Direction>> = {
  roc_auc: "higher",
  f1: "higher",
  precision: "higher",
  recall: "higher",
  log_loss: "lower",
};

/**
 * The directions of `standardsText` (a project_standards.yaml) over the defaults; `null` text
 * (no project) gives the defaults. A malformed file is the validator's to report: its bad entries
 * are skipped here.
 */
export function readDirections(standardsText: string | null): Record<string, Direction> {
  const directions: Record<string, Direction> = { ...DEFAULT_DIRECTIONS };
  if (standardsText === null) return directions;
  let declared: unknown;
  try {
    declared = (parse(standardsText) as Record<string, unknown> | null)?.metric_directions;
  } catch {
    return directions;
  }
  if (declared && typeof declared === "object") {
    for (const [metric, direction] of Object.entries(declared)) {
      if (direction === "higher" || direction === "lower") directions[metric] = direction;
    }
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

/**
 * Addresses in the MLflow UI (3.x), which routes in the URL's fragment. Pure.
 *
 * @module
 */

/**
 * The UI's own switch between its two views: `machine_learning` (runs, models) rather than the
 * `genai` one it opens by default (MLflow 3.17's `workflowType` query parameter).
 */
export const CLASSIC_ML_VIEW = "workflowType=machine_learning";

/** The runs table of experiment `experimentId`, in the classic ML view. */
export function runsTableUrl(base: string, experimentId: string): string {
  return `${base.replace(/\/+$/, "")}/#/experiments/${experimentId}/runs?${CLASSIC_ML_VIEW}`;
}

/** The page of one run, in the classic ML view. */
export function runUrl(base: string, experimentId: string, runId: string): string {
  return `${
    base.replace(/\/+$/, "")
  }/#/experiments/${experimentId}/runs/${runId}?${CLASSIC_ML_VIEW}`;
}

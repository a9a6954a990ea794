/**
 * `mlp outcome RUN_ID confirmed|neutral|negative --reason "…"`: a person corrects the outcome mlp
 * computed for a run (docs/outcome.md). The computed `mlp.outcome` stays as sealed; the
 * correction is three tags the seal does not cover (`mlp.outcome.corrected`, `…corrected_by`,
 * `…corrected_reason`) and an `outcome_correction` entry of the hash-chained audit log
 * (`logs/protected_overrides.log`), appended first, so no correction is in the store without its
 * entry. The effective outcome of a run is the correction if there is one, else the computed one.
 *
 * @module
 */
import { CheckError, InputError } from "../errors.ts";
import { isAgentOperator, OUTCOMES } from "../config/reasoning.ts";
import { OUTCOME_TAGS } from "../contract/lists.ts";
import { parseEventLine, taggedEventSchema } from "../contract/events.ts";
import { appendOverrideEntries, resolveOperator } from "../audit/override_log.ts";
import { notedSeal } from "../audit/override_anchor.ts";
import { checkSeal } from "../tracking/seal.ts";
import { openRunReader } from "../tracking/reader.ts";
import { resolveTrackingUri } from "../run/tracking_uri.ts";
import { runAdmin } from "../runs/run_admin.ts";

/** The unsealed tags of a correction. */
export const CORRECTION_TAGS = {
  outcome: "mlp.outcome.corrected",
  by: "mlp.outcome.corrected_by",
  reason: "mlp.outcome.corrected_reason",
} as const;

/** What {@linkcode correctOutcome} did. */
export interface Correction {
  runId: string;
  outcome: string;
  /** The outcome mlp computed (`mlp.outcome`), or `null` for a run recorded before it did. */
  computed: string | null;
  /** The effective outcome before this correction. */
  previous: string | null;
  operator: string;
}

/** Inputs of {@linkcode correctOutcome}. */
export interface CorrectionRequest {
  root: string;
  env: Record<string, string | undefined>;
  runId: string;
  outcome: string;
  reason: string | undefined;
}

/**
 * Checks the request, appends the audit-log entry and sets the correction's tags.
 *
 * @throws {InputError} for an outcome that is not one, or no reason
 * @throws {CheckError} for an agent operator, a run the store does not have, or one whose seal
 * does not hold (a run that did not finish, or whose record changed)
 */
export async function correctOutcome(request: CorrectionRequest): Promise<Correction> {
  const { root, env, runId } = request;
  if (!(OUTCOMES as readonly string[]).includes(request.outcome)) {
    throw new InputError(`"${request.outcome}" is not an outcome: use one of ${shownOutcomes()}`, {
      hint: "`first` is mlp's alone: it says that no earlier run was comparable",
    });
  }
  const reason = request.reason?.trim() ?? "";
  if (reason === "") {
    throw new InputError("mlp outcome requires --reason", {
      hint: 'say why the computed outcome is wrong, for the audit log: --reason "<why>"',
    });
  }
  if (isAgentOperator(env)) {
    throw new CheckError("An AI agent cannot correct an outcome", {
      hint: "the outcome mlp computed stands; a person who disagrees runs `mlp outcome` " +
        "themselves (it is recorded in the audit log with their name)",
    });
  }
  const trackingUri = resolveTrackingUri(env.MLFLOW_TRACKING_URI);
  const reader = openRunReader(trackingUri, root, env);
  let computed: string | null;
  let previous: string | null;
  let run;
  try {
    run = await reader.getRun(runId);
    if (run === null) {
      throw new CheckError(`Run ${runId} is not in the store "${reader.location}"`, {
        hint: "give the run ID `mlp run` printed, with MLFLOW_TRACKING_URI naming its store",
      });
    }
    const problems = await checkSeal(reader, run, await notedSeal(root, run));
    if (problems.length > 0) {
      throw new CheckError(`Run ${runId}'s outcome cannot be corrected: ${problems[0]}`, {
        hint: "only a FINISHED run whose seal holds has a computed outcome to correct",
      });
    }
    computed = run.tags[OUTCOME_TAGS[0]] ?? null;
    previous = run.tags[CORRECTION_TAGS.outcome] ?? computed;
  } finally {
    reader.close();
  }
  const operator = await resolveOperator(root, env);
  await appendOverrideEntries(root, [{
    ts: new Date().toISOString(),
    kind: "outcome_correction",
    field: OUTCOME_TAGS[0],
    old: previous,
    new: request.outcome,
    operator,
    config: run.tags["mlp.config"] ?? "",
    reason,
    commit: run.params.git_commit ?? "",
    run_id: runId,
  }]);
  await tagRun(root, trackingUri, runId, {
    [CORRECTION_TAGS.outcome]: request.outcome,
    [CORRECTION_TAGS.by]: operator,
    [CORRECTION_TAGS.reason]: reason,
  });
  return { runId, outcome: request.outcome, computed, previous, operator };
}

function shownOutcomes(): string {
  return OUTCOMES.map((o) => `"${o}"`).join(", ");
}

/** Sets `tags` on the run through the MLflow client (`mlp_platform.run_admin tag`). */
async function tagRun(
  root: string,
  trackingUri: string,
  runId: string,
  tags: Record<string, string>,
): Promise<void> {
  const { lines, stderr, success } = await runAdmin(root, trackingUri, "tag", {
    run_id: runId,
    tags,
  });
  const events = lines.map((line) => parseEventLine(taggedEventSchema, line, "run_admin"));
  if (!success || !events.some((event) => event?.run_id === runId)) {
    throw new CheckError(`Cannot set the corrected outcome on run ${runId}`, {
      details: stderr.trim().split("\n").slice(-5),
      hint: "the audit log holds the correction; check that the store is writable, then run " +
        "the same `mlp outcome` again",
    });
  }
}

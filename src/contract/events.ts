/**
 * The events the platform Python sends mlp, one JSON object per line of its event channel: the
 * supervisor's (`mlp_platform/supervisor.py`) and `run_admin`'s. The one definition: mlp parses
 * every line with these schemas, and the Python's `events.emit` checks every line it writes
 * against the generated `events.schema.json`, so neither side can send what the other refuses.
 *
 * @module
 */
import { z } from "zod";
import {
  COMPUTED_OUTCOMES,
  MLFLOW_RUN_STATUSES,
  OUTCOME_METHODS,
  PLATFORM_METRICS,
  REFUSAL_REASONS,
  RUN_STATUSES,
  TIMING_METRICS,
} from "./lists.ts";

const runId = z.string().min(1);

/** Nothing was recorded; `hint` says how to proceed. */
const refusedSchema = z.strictObject({
  event: z.literal("refused"),
  reason: z.enum(REFUSAL_REASONS),
  message: z.string(),
  hint: z.string().optional(),
});

/** The MLflow run exists. */
const runCreatedSchema = z.strictObject({
  event: z.literal("run_created"),
  run_id: runId,
  experiment_id: z.string().min(1),
});

/** The store refused the run's end (a full or read-only disk): the run stays RUNNING. */
const unendedSchema = z.strictObject({
  event: z.literal("unended"),
  run_id: runId,
  message: z.string(),
  hint: z.string(),
});

const maybeNumber = z.number().nullable();

/** The outcome of a FINISHED run against its baseline (docs/outcome.md), as it was sealed. */
export const outcomeReportSchema = z.strictObject({
  outcome: z.enum(COMPUTED_OUTCOMES),
  method: z.enum(OUTCOME_METHODS),
  metric: z.enum(PLATFORM_METRICS),
  /** The run's pooled value of the metric (`null`: undefined). */
  value: maybeNumber,
  baseline_run_id: runId.nullable(),
  /** The improvement in the metric's direction (positive = better); `null` for `first`. */
  delta: maybeNumber,
  std_error: maybeNumber,
  p_value: maybeNumber,
  ci_low: maybeNumber,
  ci_high: maybeNumber,
  /** Why the method was chosen or only the delta is given, or `null`. */
  note: z.string().nullable(),
  /** A better run on other data (never the baseline), or `null`. */
  better_elsewhere: z.strictObject({
    run_id: runId,
    value: z.number(),
    dataset_hash: z.string(),
  }).nullable(),
});

/** The run ended. */
const finishedSchema = z.strictObject({
  event: z.literal("finished"),
  status: z.enum(RUN_STATUSES),
  run_id: runId,
  /** Metric name → value; `null` for a metric that is undefined (NaN in MLflow). */
  metrics: z.partialRecord(
    z.enum([...PLATFORM_METRICS, ...TIMING_METRICS]),
    z.number().nullable(),
  ),
  /** The last line of the run's error, when it did not finish. */
  error: z.string().nullable(),
  /** The run's seal (docs/seal.md) when it FINISHED, else `null`. */
  seal: z.string().regex(/^[0-9a-f]{64}(?![\s\S])/).nullable(),
  /** The outcome when the run FINISHED with a comparison in its plan, else `null`. */
  outcome: outcomeReportSchema.nullable(),
});

/** What `run_admin end` did to one run: `changed` is false when it had ended already (`was`). */
export const endedEventSchema = z.strictObject({
  event: z.literal("ended"),
  run_id: runId,
  status: z.enum(MLFLOW_RUN_STATUSES),
  changed: z.boolean(),
  was: z.enum(MLFLOW_RUN_STATUSES),
});

/**
 * What `restore_check` found comparing a backup restored into a scratch directory with the
 * backup's snapshot: one line per difference (none: the restore gives the store back as it was),
 * and the runs whose artifacts lie outside the project, which no project backup holds.
 */
export const restoreCheckedEventSchema = z.strictObject({
  event: z.literal("restore_checked"),
  runs: z.number().int().nonnegative(),
  artifacts: z.number().int().nonnegative(),
  differences: z.array(z.string()),
  outside: z.array(runId),
});

/** The supervisor's events, in the order it sends them. */
export const supervisorEventSchema = z.discriminatedUnion("event", [
  refusedSchema,
  runCreatedSchema,
  unendedSchema,
  finishedSchema,
]);

/** What `run_admin tag` did: it set the tags asked for on the run. */
export const taggedEventSchema = z.strictObject({
  event: z.literal("tagged"),
  run_id: runId,
});

/** What `score_check` found: the run's model loaded in the sandbox and scored a sample of raw rows. */
export const scoredEventSchema = z.strictObject({
  event: z.literal("scored"),
  rows: z.number().int().nonnegative(),
  ok: z.boolean(),
  /** Why the model did not score (its exception's first line, or what was wrong with the scores). */
  problem: z.string().nullable(),
});

/** What `promotion register` did: `version` of the registered model `name` is now the champion. */
export const promotedEventSchema = z.strictObject({
  event: z.literal("promoted"),
  run_id: runId,
  name: z.string(),
  version: z.string(),
  /** The version that was champion before, or `null`. */
  previous: z.string().nullable(),
});

/** What `promotion revoke` did: the run's `version` is revoked; `champion` is the champion now. */
export const revokedEventSchema = z.strictObject({
  event: z.literal("revoked"),
  run_id: runId,
  name: z.string(),
  version: z.string(),
  champion: z.string().nullable(),
});

/** `promotion list`: every version of the registered model `name`, oldest first. */
export const modelVersionsEventSchema = z.strictObject({
  event: z.literal("model_versions"),
  name: z.string(),
  champion: z.string().nullable(),
  versions: z.array(z.strictObject({
    version: z.string(),
    run_id: z.string(),
    created_ms: z.number().int(),
    intended_use: z.string(),
    promoted_by: z.string(),
    revoked: z.boolean(),
  })),
});

/** Every event the platform Python can send, whichever module sends it. */
export const platformEventSchema = z.discriminatedUnion("event", [
  ...supervisorEventSchema.options,
  endedEventSchema,
  restoreCheckedEventSchema,
  taggedEventSchema,
  scoredEventSchema,
  promotedEventSchema,
  revokedEventSchema,
  modelVersionsEventSchema,
]);

/** An event of the supervisor. */
export type SupervisorEvent = z.infer<typeof supervisorEventSchema>;
/** The outcome of a run, as the supervisor reports it. */
export type OutcomeReport = z.infer<typeof outcomeReportSchema>;
/** `run_admin`'s event. */
export type EndedEvent = z.infer<typeof endedEventSchema>;
/** `restore_check`'s event. */
export type RestoreCheckedEvent = z.infer<typeof restoreCheckedEventSchema>;
/** `score_check`'s event. */
export type ScoredEvent = z.infer<typeof scoredEventSchema>;
/** `promotion register`'s event. */
export type PromotedEvent = z.infer<typeof promotedEventSchema>;
/** `promotion revoke`'s event. */
export type RevokedEvent = z.infer<typeof revokedEventSchema>;
/** `promotion list`'s event. */
export type ModelVersionsEvent = z.infer<typeof modelVersionsEventSchema>;

/**
 * Parses one line of a platform event channel with `schema`.
 *
 * @param channel who sent the line, for the message ("supervisor", "run_admin")
 * @returns the event, or `undefined` for a blank line
 * @throws {SyntaxError} when the line is not such an event: mlp and its own platform Python
 * disagree, which is a bug in mlp
 */
export function parseEventLine<T>(
  schema: z.ZodType<T>,
  line: string,
  channel: string,
): T | undefined {
  if (line.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw bug(channel, line, (error as Error).message);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const field = issue.path.length > 0 ? `field "${issue.path.join(".")}": ` : "";
  throw bug(channel, line, `${field}${issue.message}`);
}

function bug(channel: string, line: string, why: string): SyntaxError {
  return new SyntaxError(
    `Cannot parse ${channel} event: ${JSON.stringify(line)} (${why}); mlp and its platform ` +
      "Python disagree on the event contract (src/contract/), a bug in mlp",
  );
}

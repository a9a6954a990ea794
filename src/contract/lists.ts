/**
 * The lists that mlp and its platform Python must agree on, defined once. The Python reads them
 * from the files `scripts/contract.ts` generates (`src/python/mlp_platform/lists.json` and the
 * schemas, see `render.ts`); nothing on the Python side spells them out.
 *
 * @module
 */

/**
 * Metrics the platform's supervisor computes from out-of-fold predictions
 * (`mlp_platform/metrics.py` has a scorer for each, and checks it at import).
 */
export const PLATFORM_METRICS = [
  "roc_auc",
  "pr_auc",
  "log_loss",
  "brier",
  "f1",
  "precision",
  "recall",
  "accuracy",
] as const;

/** What the supervisor measures of each run, recorded as metrics beside {@linkcode PLATFORM_METRICS}. */
export const TIMING_METRICS = ["training_time_s", "inference_latency_ms"] as const;

/** Which way a metric improves (`metric_directions` in the standards): log_loss is lower. */
export const METRIC_DIRECTIONS = ["higher", "lower"] as const;

/**
 * What mlp computes of a run against its baseline (docs/outcome.md), the sealed tag `mlp.outcome`:
 * `first` when no prior run is comparable.
 */
export const COMPUTED_OUTCOMES = ["first", "confirmed", "neutral", "negative"] as const;

/** How the outcome was judged, the sealed tag `mlp.outcome.method` (docs/outcome.md). */
export const OUTCOME_METHODS = ["paired_t_folds", "paired_bootstrap", "none"] as const;

/**
 * The sealed tags of the outcome, in this order: the computed outcome, its method, the baseline
 * run's ID (absent when the outcome is `first`).
 */
export const OUTCOME_TAGS = ["mlp.outcome", "mlp.outcome.method", "mlp.baseline.run_id"] as const;

/**
 * What a promotion records on the run (`mlp promote`, issue 9): the tags, in this order, that it
 * is promoted (`"true"`), when and by whom; and the write-once params of the card it fills in, in
 * this order: the intended use, the approver and the approval time. `mlp card` reads them from
 * here, so the command that writes them and the card cannot name different fields.
 */
export const PROMOTION_TAGS = ["promoted", "promotion_timestamp", "promoted_by"] as const;

/** The card's params a promotion logs (see {@linkcode PROMOTION_TAGS}). */
export const CARD_PARAMS = ["card.intended_use", "card.approver", "card.approval_time"] as const;

/**
 * What `mlp reproduce` records on the run it makes (docs/audit.md, "Reproducing a run"), in this
 * order: the ID of the run it reproduces (set when the run is created, sealed) and its verdict
 * (set once the comparison is made, after the seal, so not covered by it).
 */
export const REPRODUCTION_TAGS = ["mlp.reproduces", "mlp.reproduction_verdict"] as const;

/**
 * The tag of a run that `mlp reproduce` made ({@linkcode REPRODUCTION_TAGS}' first): such a run
 * is never a baseline nor counted by `mlp query`, which would count its original twice.
 */
export const REPRODUCES_TAG: (typeof REPRODUCTION_TAGS)[0] = REPRODUCTION_TAGS[0];

/** The verdicts of `mlp reproduce`: every metric and fingerprint identical, or not. */
export const REPRODUCTION_VERDICTS = ["reproduced", "differs"] as const;

/** Split strategies the platform's trainer implements (`mlp_platform/splits.py`). */
export const PLATFORM_SPLIT_STRATEGIES = ["stratified_kfold", "temporal_split"] as const;

/** Value types a hyperparameter may have; each reaches `build_model` as its Python type. */
export const HYPERPARAMETER_TYPES = ["integer", "number", "string", "boolean"] as const;

/** How the trainer is confined. `none` only with `--unsandboxed --reason`. */
export const SANDBOX_MODES = ["landlock", "none"] as const;

/** The states a supervisor ends a run in. */
export const RUN_STATUSES = ["FINISHED", "FAILED", "KILLED"] as const;

/** The states mlp asks `run_admin` to end an abandoned run in. */
export const END_STATUSES = ["KILLED", "FAILED"] as const;

/** Every status MLflow gives a run; `run_admin` reports the one a run had. */
export const MLFLOW_RUN_STATUSES = [
  "RUNNING",
  "SCHEDULED",
  "FINISHED",
  "FAILED",
  "KILLED",
] as const;

/** Why a supervisor refused a run before recording anything (its `refused` event). */
export const REFUSAL_REASONS = [
  "invalid_plan",
  "sandbox_unavailable",
  "tracking_unavailable",
  "store_unusable",
  "interrupted",
] as const;

/**
 * The signals by which a user stops mlp and a run: Ctrl-C, `kill`, a closed terminal. mlp passes
 * each on to the supervisor as a line `interrupt <SIGNAL>`; the supervisor handles the same ones.
 */
export const INTERRUPT_SIGNALS = [
  "SIGINT",
  "SIGTERM",
  "SIGHUP",
] as const satisfies readonly Deno.Signal[];

/**
 * The run tags a seal covers (docs/seal.md): the tags `mlp run` sets when it creates a run (the
 * plan's, the owner's, the commit MLflow's UI shows, the run's name). A tag not listed here (one
 * a later mlp command or a person adds) may change without breaking the seal.
 */
export const SEALED_TAGS = [
  "client_name",
  "project_name",
  "use_case",
  "primary_metric",
  "sandbox",
  "mlp.config",
  "mlp.operator",
  "mlp.owner.lock",
  "mlp.owner.host",
  "mlp.owner.pid",
  "mlflow.source.git.commit",
  "mlflow.runName",
  // What the MLflow UI shows as Created by and Source (docs/seal.md says why these and not the
  // Description, which the UI lets anyone edit).
  "mlflow.user",
  "mlflow.source.type",
  "mlflow.source.name",
  ...OUTCOME_TAGS,
  REPRODUCTION_TAGS[0],
] as const;

/**
 * The prefix of the params `mlp promote` logs on a sealed run (the model card's fields, write-once
 * in MLflow). The seal leaves them out: they are written after it, and no config can produce a
 * param under it (experiment.yaml has no `card` section).
 */
export const CARD_PARAM_PREFIX = "card.";

/** The tag that holds a run's seal, set last before the run ends FINISHED. */
export const SEAL_TAG = "mlp.seal";

/**
 * The artifact that holds the sealed record itself (its canonical JSON), so that a broken seal can
 * say what changed; the seal does not cover it (it is written after the digest).
 */
export const SEAL_ARTIFACT = "mlp/seal.json";

/**
 * The lists the platform's code reads (`mlp_platform/contract.py`), by name; the others reach it
 * inside the schemas (as `enum`s).
 */
export const SHARED_LISTS = {
  metrics: PLATFORM_METRICS,
  split_strategies: PLATFORM_SPLIT_STRATEGIES,
  run_statuses: RUN_STATUSES,
  end_statuses: END_STATUSES,
  interrupt_signals: INTERRUPT_SIGNALS,
  sealed_tags: SEALED_TAGS,
  seal_tag: [SEAL_TAG],
  seal_artifact: [SEAL_ARTIFACT],
  outcome_tags: OUTCOME_TAGS,
  card_param_prefix: [CARD_PARAM_PREFIX],
  promotion_tags: PROMOTION_TAGS,
  card_params: CARD_PARAMS,
} as const;

/** Which way a metric improves. */
export type MetricDirection = (typeof METRIC_DIRECTIONS)[number];
/** An outcome as mlp computes it. */
export type ComputedOutcome = (typeof COMPUTED_OUTCOMES)[number];
/** A split strategy the platform implements. */
export type SplitStrategy = (typeof PLATFORM_SPLIT_STRATEGIES)[number];
/** The value type of a hyperparameter. */
export type HyperparameterType = (typeof HYPERPARAMETER_TYPES)[number];
/** How the trainer is confined. */
export type SandboxMode = (typeof SANDBOX_MODES)[number];
/** Final status of an MLflow run as the supervisor ended it. */
export type RunStatus = (typeof RUN_STATUSES)[number];
/** A status mlp asks `run_admin` to end a run in. */
export type EndStatus = (typeof END_STATUSES)[number];
/** A verdict of `mlp reproduce`. */
export type ReproductionVerdict = (typeof REPRODUCTION_VERDICTS)[number];
/** A status MLflow gives a run. */
export type MlflowRunStatus = (typeof MLFLOW_RUN_STATUSES)[number];

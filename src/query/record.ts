/**
 * What `mlp query` reads of a run: the few fields its questions use, whichever store holds it.
 * Loading them for 10,000 runs must take well under a second, so the loaders read only these
 * keys (see `QUERY_KEYS`), never a run's whole record.
 *
 * @module
 */

/** One run as the queries see it. */
export interface QueryRun {
  runId: string;
  /** The MLflow experiment's name, `<client>/<project>` for runs `mlp run` records. */
  experiment: string;
  /** Tag `client_name`. */
  client: string;
  /** Tag `project_name`. */
  project: string;
  /** RUNNING, FINISHED, FAILED, KILLED or SCHEDULED. */
  status: string;
  /** `active`, or `deleted` for a run in the trash. */
  lifecycleStage: string;
  /** Start time, milliseconds since the epoch. */
  startTime: number | null;
  /** Whether the run carries an `mlp.seal` tag (the supervisor sealed it). */
  sealed: boolean;
  /** Param `reasoning.hypothesis_category`. */
  category: string | null;
  /** Param `reasoning.change_description`. */
  change: string | null;
  /** Param `model_type`. */
  modelType: string | null;
  /** Tag `use_case`. */
  useCase: string | null;
  /** Tag `primary_metric`: the metric the project is judged by. */
  primaryMetric: string | null;
  /** Metric `metric_delta`: the improvement over the baseline (positive = better). */
  delta: number | null;
  /** `mlp.outcome.corrected` when a person corrected it, else `mlp.outcome`. */
  outcome: string | null;
  /** Tag `mlflow.source.git.commit`, else param `git_commit`. */
  commit: string | null;
  /** The latest value of each metric loaded (the primary metric and any a question asks for). */
  metrics: Record<string, number>;
  /** Where the run was read from (a store's path or URL), for `--verify`. */
  store: string;
}

/** The params the queries read. */
export const QUERY_PARAMS = [
  "reasoning.hypothesis_category",
  "reasoning.change_description",
  "model_type",
  "git_commit",
] as const;

/** The tags the queries read. */
export const QUERY_TAGS = [
  "client_name",
  "project_name",
  "use_case",
  "primary_metric",
  "mlp.outcome",
  "mlp.outcome.corrected",
  "mlp.seal",
  "mlflow.source.git.commit",
] as const;

/** The metric every outcome carries. */
export const DELTA_METRIC = "metric_delta";

/**
 * Builds a `QueryRun` from the raw values a loader read: `params`, `tags` and `metrics` hold only
 * the keys above (and the metrics asked for).
 */
export function toQueryRun(
  raw: {
    runId: string;
    experiment: string;
    status: string;
    lifecycleStage: string;
    startTime: number | null;
    params: Record<string, string>;
    tags: Record<string, string>;
    metrics: Record<string, number>;
  },
  store: string,
): QueryRun {
  const { params, tags, metrics } = raw;
  const [client, project] = raw.experiment.split("/");
  const delta = metrics[DELTA_METRIC];
  return {
    runId: raw.runId,
    experiment: raw.experiment,
    client: tags.client_name ?? client ?? "",
    project: tags.project_name ?? project ?? "",
    status: raw.status,
    lifecycleStage: raw.lifecycleStage,
    startTime: raw.startTime,
    sealed: tags["mlp.seal"] !== undefined,
    category: params["reasoning.hypothesis_category"] ?? null,
    change: params["reasoning.change_description"] ?? null,
    modelType: params.model_type ?? null,
    useCase: tags.use_case ?? null,
    primaryMetric: tags.primary_metric ?? null,
    delta: delta === undefined || Number.isNaN(delta) ? null : delta,
    outcome: tags["mlp.outcome.corrected"] ?? tags["mlp.outcome"] ?? null,
    commit: tags["mlflow.source.git.commit"] ?? params.git_commit ?? null,
    metrics,
    store,
  };
}

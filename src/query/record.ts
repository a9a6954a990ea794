/**
 * What `mlp query` reads of a run: the few fields its questions use, whichever store holds it.
 * Loading them for 10,000 runs must take well under a second, so the SQLite loader reads only the
 * keys of the fields a query asks for (`FIELD_KEYS`), never a run's whole record.
 *
 * @module
 */
import { REPRODUCES_TAG, SEAL_TAG } from "../contract/lists.ts";

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
  /** Whether the run is `mlp reproduce`'s remake of another (tag `mlp.reproduces`). */
  reproduction: boolean;
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
  /**
   * The latest value of each metric loaded: the primary metric (with field `primaryMetric`),
   * `metric_delta` (with `delta`) and any a question asks for.
   */
  metrics: Record<string, number>;
  /** Where the run was read from (a store's path or URL), for `--verify`. */
  store: string;
}

/** The metric every outcome carries. */
export const DELTA_METRIC = "metric_delta";

/**
 * A part of a run that a loader reads only when a query asks for it: each question names the
 * fields it reads (`QUESTION_FIELDS`) and the filter those it tests (`filterFields`), so a query
 * of 10,000 runs reads no more of the store than its answer needs. A field not asked for is null
 * (`client` and `project`: the parts of the experiment's name).
 */
export type QueryField =
  | "client"
  | "project"
  | "useCase"
  | "category"
  | "change"
  | "modelType"
  | "primaryMetric"
  | "delta"
  | "outcome"
  | "commit";

/** Where a field is read from: its params, tags and metrics. */
export interface FieldKeys {
  params: readonly string[];
  tags: readonly string[];
  metrics: readonly string[];
}

const keys = (part: Partial<FieldKeys>): FieldKeys => ({
  params: [],
  tags: [],
  metrics: [],
  ...part,
});

/**
 * The keys each field is read from (as `toQueryRun` reads them). `primaryMetric` brings the
 * latest value of the metric its tag names too, into `metrics`.
 */
export const FIELD_KEYS: Readonly<Record<QueryField, FieldKeys>> = {
  client: keys({ tags: ["client_name"] }),
  project: keys({ tags: ["project_name"] }),
  useCase: keys({ tags: ["use_case"] }),
  category: keys({ params: ["reasoning.hypothesis_category"] }),
  change: keys({ params: ["reasoning.change_description"] }),
  modelType: keys({ params: ["model_type"] }),
  primaryMetric: keys({ tags: ["primary_metric"] }),
  delta: keys({ metrics: [DELTA_METRIC] }),
  outcome: keys({ tags: ["mlp.outcome", "mlp.outcome.corrected"] }),
  commit: keys({ tags: ["mlflow.source.git.commit"], params: ["git_commit"] }),
};

/**
 * Builds a `QueryRun` from the raw values a loader read: `params`, `tags` and `metrics` hold the
 * keys of the fields asked for (`FIELD_KEYS`), the seal tag and the metrics asked for, or (from a
 * tracking server, which sends whole runs) everything.
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
    sealed: tags[SEAL_TAG] !== undefined,
    reproduction: tags[REPRODUCES_TAG] !== undefined,
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

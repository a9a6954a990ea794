/**
 * Loads the runs of an MLflow tracking server for `mlp query` through its REST API 2.0
 * (`experiments/search`, then `runs/search` page by page), as `tracking/rest_reader.ts` reads
 * runs: the same credentials (MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and
 * MLFLOW_TRACKING_PASSWORD, or the URL's user info, never shown).
 *
 * @module
 */
import { CheckError } from "../errors.ts";
import { restConnection, type RestRun } from "../tracking/rest_reader.ts";
import { type QueryRun, toQueryRun } from "./record.ts";

/** The server's page limit is 50,000; 1,000 keeps each answer small. */
const PAGE_SIZE = 1000;
/** Experiment IDs per `runs/search` call, well under what servers accept. */
const EXPERIMENTS_PER_CALL = 100;

/**
 * Every run on the MLflow server at `baseUrl`, deleted ones too (the caller says why they are
 * left out); `sinceMs` (start time) is passed to the server as a filter.
 *
 * @throws {CheckError} when the server cannot be reached or refuses.
 */
export async function loadRestRuns(
  baseUrl: string,
  env: Record<string, string | undefined>,
  sinceMs?: number,
): Promise<QueryRun[]> {
  const { base, headers } = restConnection(baseUrl, env);

  async function call(path: string, body: unknown): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(`${base}/api/2.0/mlflow/${path}`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new CheckError(`Cannot reach the MLflow server at "${base}"`, {
        cause: error,
        hint: "check that the server is running and the --store or MLFLOW_TRACKING_URI is right",
      });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new CheckError(
        `The MLflow server at "${base}" answered ${response.status} to ${path}: "${
          text.slice(0, 200)
        }"`,
        {
          hint: response.status === 401 || response.status === 403
            ? "set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
            : "check the server's logs",
        },
      );
    }
    return text ? JSON.parse(text) : {};
  }

  const names = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await call("experiments/search", {
      max_results: PAGE_SIZE,
      view_type: "ALL",
      page_token: token,
    });
    for (const e of (page.experiments ?? []) as { experiment_id: string; name: string }[]) {
      names.set(String(e.experiment_id), e.name);
    }
    token = page.next_page_token as string | undefined;
  } while (token);

  const ids = [...names.keys()];
  const runs: QueryRun[] = [];
  for (let i = 0; i < ids.length; i += EXPERIMENTS_PER_CALL) {
    do {
      const page = await call("runs/search", {
        experiment_ids: ids.slice(i, i + EXPERIMENTS_PER_CALL),
        filter: sinceMs === undefined ? "" : `attributes.start_time >= ${sinceMs}`,
        run_view_type: "ALL",
        max_results: PAGE_SIZE,
        page_token: token,
      });
      for (const run of (page.runs ?? []) as RestRun[]) runs.push(fromRest(run, names, base));
      token = page.next_page_token as string | undefined;
    } while (token);
  }
  return runs;
}

function fromRest(run: RestRun, names: Map<string, string>, base: string): QueryRun {
  const pairs = (items: { key: string; value: string }[] | undefined) =>
    Object.fromEntries((items ?? []).map((item) => [item.key, item.value]));
  const start = run.info.start_time;
  return toQueryRun({
    runId: run.info.run_id,
    experiment: names.get(String(run.info.experiment_id)) ?? "",
    status: run.info.status ?? "",
    lifecycleStage: run.info.lifecycle_stage ?? "active",
    startTime: start === undefined ? null : Number(start),
    params: pairs(run.data?.params),
    tags: pairs(run.data?.tags),
    // The server sends NaN as the string "NaN".
    metrics: Object.fromEntries((run.data?.metrics ?? []).map((m) => [m.key, Number(m.value)])),
  }, base);
}

/**
 * Reads runs from an MLflow tracking server through its REST API 2.0, for teams whose store is a
 * server (MLFLOW_TRACKING_URI=http(s)://…). Credentials come from MLflow's own variables:
 * MLFLOW_TRACKING_TOKEN (bearer), or MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD (basic),
 * or the user info of the URL (basic), which is taken off it and so never appears in a message.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { CheckError } from "../errors.ts";
import { splitCredentials } from "./redact.ts";
import type { MetricPoint, RunReader, RunRecord } from "./run_record.ts";

/** A run as the REST API returns it. */
export interface RestRun {
  info: {
    run_id: string;
    experiment_id: string;
    status?: string;
    lifecycle_stage?: string;
    start_time?: number;
    end_time?: number;
  };
  data?: {
    params?: { key: string; value: string }[];
    tags?: { key: string; value: string }[];
    metrics?: { key: string; value: number }[];
  };
}

/** MLflow's documented page size limit is 50,000; 1,000 keeps each response small. */
const PAGE_SIZE = 1000;

/**
 * The server's URL without credentials or trailing slash, and the headers of every request: a
 * bearer token (MLFLOW_TRACKING_TOKEN), else basic auth from MLFLOW_TRACKING_USERNAME /
 * MLFLOW_TRACKING_PASSWORD, else from the URL's user info.
 */
export function restConnection(
  baseUrl: string,
  env: Record<string, string | undefined>,
): { base: string; headers: Record<string, string> } {
  const { uri, username, password } = splitCredentials(baseUrl);
  const base = uri.replace(/\/+$/, "");
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (env.MLFLOW_TRACKING_TOKEN) {
    headers.authorization = `Bearer ${env.MLFLOW_TRACKING_TOKEN}`;
  } else if (env.MLFLOW_TRACKING_USERNAME) {
    const credentials = `${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD ?? ""}`;
    headers.authorization = `Basic ${btoa(credentials)}`;
  } else if (username !== undefined) {
    headers.authorization = `Basic ${btoa(`${username}:${password ?? ""}`)}`;
  }
  return { base, headers };
}

/** Opens a reader on the MLflow server at `baseUrl` (e.g. `http://mlflow.internal:5000`). */
export function openRestRunReader(
  baseUrl: string,
  env: Record<string, string | undefined>,
): RunReader {
  const { base, headers } = restConnection(baseUrl, env);

  async function call(path: string, body?: unknown): Promise<Record<string, unknown> | null> {
    const response = await send(`${base}/api/2.0/mlflow/${path}`, body);
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      // Proxies answer errors in HTML; the status below is the useful part.
    }
    if (response.status === 404 || json.error_code === "RESOURCE_DOES_NOT_EXIST") return null;
    if (!response.ok) throw answered(response.status, path, String(json.message ?? text));
    return json;
  }

  function answered(status: number, path: string, message: string): CheckError {
    return new CheckError(
      `The MLflow server at "${base}" answered ${status} to ${path}: "${message.slice(0, 200)}"`,
      {
        hint: status === 401 || status === 403
          ? "set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
          : "check the server's logs",
      },
    );
  }

  async function send(url: string, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: body === undefined ? "GET" : "POST",
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new CheckError(`Cannot reach the MLflow server at "${base}"`, {
        cause: error,
        hint: "check that the server is running and MLFLOW_TRACKING_URI is right",
      });
    }
    return response;
  }

  /** The artifact files under `path` (the root when empty), through the artifacts/list API. */
  async function listFiles(runId: string, path: string): Promise<string[]> {
    const files: string[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ run_id: runId, ...(path ? { path } : {}) });
      if (token) query.set("page_token", token);
      const page = await call(`artifacts/list?${query}`);
      for (const file of (page?.files ?? []) as { path: string; is_dir?: boolean }[]) {
        if (file.is_dir) files.push(...await listFiles(runId, file.path));
        else files.push(file.path);
      }
      token = page?.next_page_token as string | undefined;
    } while (token);
    return files;
  }

  /** One artifact's bytes through the server's get-artifact route (what its UI downloads). */
  async function download(runId: string, path: string): Promise<Uint8Array | null> {
    const query = new URLSearchParams({ path, run_uuid: runId });
    const response = await send(`${base}/get-artifact?${query}`);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) throw answered(response.status, "get-artifact", await response.text());
    return new Uint8Array(await response.arrayBuffer());
  }

  /** Every run matching `filter` in any experiment (or in `only`), oldest first. */
  async function searchRuns(
    filter: string,
    viewType = "ALL",
    only?: string[],
  ): Promise<RunRecord[]> {
    const experimentIds: string[] = [...(only ?? [])];
    let token: string | undefined;
    while (only === undefined) {
      const page = await call("experiments/search", {
        max_results: PAGE_SIZE,
        view_type: "ALL",
        page_token: token,
      });
      for (const experiment of (page?.experiments ?? []) as { experiment_id: string }[]) {
        experimentIds.push(experiment.experiment_id);
      }
      token = page?.next_page_token as string | undefined;
      if (!token) break;
    }
    if (experimentIds.length === 0) return [];
    const runs: RunRecord[] = [];
    do {
      const page = await call("runs/search", {
        experiment_ids: experimentIds,
        filter,
        run_view_type: viewType,
        max_results: PAGE_SIZE,
        page_token: token,
      });
      runs.push(...((page?.runs ?? []) as RestRun[]).map(fromRest));
      token = page?.next_page_token as string | undefined;
    } while (token);
    return runs.sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0));
  }

  return {
    location: base,
    async getRun(runId: string): Promise<RunRecord | null> {
      const json = await call(`runs/get?run_id=${encodeURIComponent(runId)}`);
      return json?.run ? fromRest(json.run as RestRun) : null;
    },
    async getExperimentName(experimentId: string): Promise<string | null> {
      const json = await call(`experiments/get?experiment_id=${encodeURIComponent(experimentId)}`);
      const experiment = json?.experiment as { name?: string } | undefined;
      return experiment?.name ?? null;
    },
    findRunsByCommit(commit: string): Promise<RunRecord[]> {
      return searchRuns(`params.git_commit = '${commit.replace(/[^0-9a-f]/g, "")}'`);
    },
    async findFinishedRuns(experimentName: string): Promise<RunRecord[]> {
      const json = await call(
        `experiments/get-by-name?experiment_name=${encodeURIComponent(experimentName)}`,
      );
      const experiment = json?.experiment as { experiment_id?: string } | undefined;
      if (!experiment?.experiment_id) return [];
      return searchRuns("attributes.status = 'FINISHED'", "ACTIVE_ONLY", [
        experiment.experiment_id,
      ]);
    },
    findRunning(): Promise<RunRecord[]> {
      return searchRuns("attributes.status = 'RUNNING'", "ACTIVE_ONLY");
    },
    findRunsWithParam(key: string): Promise<RunRecord[]> {
      // A param filter matches only the runs that have the param; LIKE '%' matches any value.
      return searchRuns(`params.\`${key.replace(/`/g, "")}\` LIKE '%'`);
    },
    async getMetricHistory(runId: string): Promise<Record<string, MetricPoint[]>> {
      const run = await this.getRun(runId);
      const points: Record<string, MetricPoint[]> = {};
      for (const key of Object.keys(run?.metrics ?? {})) {
        let token: string | undefined;
        do {
          const query = new URLSearchParams({ run_id: runId, metric_key: key });
          if (token) query.set("page_token", token);
          const page = await call(`metrics/get-history?${query}`);
          for (const m of (page?.metrics ?? []) as Record<string, unknown>[]) {
            (points[key] ??= []).push({
              value: Number(m.value),
              step: Number(m.step ?? 0),
              timestamp: Number(m.timestamp ?? 0),
            });
          }
          token = page?.next_page_token as string | undefined;
        } while (token);
      }
      return points;
    },
    async hashArtifacts(runId: string): Promise<Record<string, string>> {
      const hashes: Record<string, string> = {};
      for (const path of await listFiles(runId, "")) {
        const bytes = await download(runId, path);
        if (bytes === null) {
          throw new CheckError(
            `The MLflow server at "${base}" lists artifact "${path}" of run ${runId} but does not serve it`,
            {
              hint:
                "start the server with artifact serving (the default `mlflow server`), which mlp needs to check a run's seal",
            },
          );
        }
        hashes[path] = createHash("sha256").update(bytes).digest("hex");
      }
      return hashes;
    },
    readArtifact(runId: string, path: string): Promise<Uint8Array | null> {
      return download(runId, path);
    },
    close(): void {},
  };
}

function fromRest(run: RestRun): RunRecord {
  const pairs = (items: { key: string; value: string }[] | undefined) =>
    Object.fromEntries((items ?? []).map((item) => [item.key, item.value]));
  return {
    runId: run.info.run_id,
    experimentId: String(run.info.experiment_id),
    status: run.info.status ?? "",
    lifecycleStage: run.info.lifecycle_stage ?? "active",
    startTime: run.info.start_time ?? null,
    endTime: run.info.end_time ?? null,
    params: pairs(run.data?.params),
    tags: pairs(run.data?.tags),
    metrics: Object.fromEntries((run.data?.metrics ?? []).map((m) => [m.key, Number(m.value)])),
  };
}

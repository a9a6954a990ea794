/**
 * Test support: writes runs into an MLflow store with the real MLflow Python client, so readers
 * are tested against what MLflow itself writes. The interpreter is MLP_TEST_MLFLOW_PYTHON (a
 * Python with mlflow installed), defaulting to the client environment `make test` builds from the
 * template (`scripts/platform_env.sh`). Also starts real MLflow tracking servers.
 *
 * @module
 */

/** A run to write: params, tags, metrics and the status it ends with (`RUNNING`: left open). */
export interface RunSpec {
  params?: Record<string, string>;
  tags?: Record<string, string>;
  metrics?: Record<string, number>;
  status?: "FINISHED" | "FAILED" | "KILLED" | "RUNNING";
  /** Artifact path → text, logged with `log_text`. */
  artifacts?: Record<string, string>;
  /** Seal the run as the supervisor does (docs/seal.md) before it ends FINISHED. */
  sealed?: boolean;
}

/** The Python interpreter with mlflow that tests use. */
export const MLFLOW_PYTHON = Deno.env.get("MLP_TEST_MLFLOW_PYTHON") ??
  new URL("../../.cache/platform-env/.venv/bin/python", import.meta.url).pathname;

const WRITER = `
import hashlib, json, sys
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

spec = json.load(sys.stdin)
client = MlflowClient(tracking_uri=spec["uri"])
experiment = client.get_experiment_by_name(spec["experiment"])
experiment_id = experiment.experiment_id if experiment else client.create_experiment(
    spec["experiment"], artifact_location=spec.get("artifacts"))
ids = []
for run in spec["runs"]:
    created = client.create_run(experiment_id, tags=run.get("tags", {}))
    run_id = created.info.run_id
    params = [Param(k, v) for k, v in run.get("params", {}).items()]
    metrics = [Metric(k, v, 0, 0) for k, v in run.get("metrics", {}).items()]
    for i in range(0, max(len(params), 1), 100):
        client.log_batch(run_id, params=params[i:i + 100], metrics=metrics if i == 0 else [])
    for path, text in run.get("artifacts", {}).items():
        client.log_text(run_id, text, path)
    if run.get("sealed"):
        from mlp_platform.seal import SealRecord, seal_digest
        values = run.get("metrics", {})
        record = SealRecord(
            run_id, "FINISHED", run.get("params", {}),
            {**run.get("tags", {}), "mlflow.runName": created.info.run_name},
            values, {k: [v] for k, v in values.items()},
            {p: hashlib.sha256(t.encode()).hexdigest() for p, t in run.get("artifacts", {}).items()},
        )
        client.set_tag(run_id, "mlp.seal", seal_digest(record))
    if run.get("status", "FINISHED") != "RUNNING":
        client.set_terminated(run_id, run.get("status", "FINISHED"))
    ids.append(run_id)
print(json.dumps(ids))
`;

/**
 * Runs `script` with the test MLflow Python (mlp_platform importable), `input` as JSON on stdin;
 * returns its stdout. `what` names it in the error when it fails.
 */
export async function runMlflowPython(
  script: string,
  input: unknown,
  what: string,
): Promise<string> {
  const child = new Deno.Command(MLFLOW_PYTHON, {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: {
      MLFLOW_DISABLE_TELEMETRY: "true",
      DO_NOT_TRACK: "true",
      PYTHONPATH: new URL("../python", import.meta.url).pathname,
    },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
  await writer.close();
  const output = await child.output();
  if (!output.success) {
    throw new Error(`${what} failed:\n${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout);
}

/**
 * The experiment the test projects' config (src/config/testdata/experiment.yaml) names, as
 * `mlp run` names it: `<client_name>/<project_name>`.
 */
export const TEST_EXPERIMENT = "bank_x/fraud_model_v1";

/**
 * Writes `runs` into the MLflow store at `trackingUri` (e.g. `sqlite:////tmp/x/mlflow.db`), in
 * experiment `experiment`, and returns their run IDs in order. As `mlp run` does, each run is
 * tagged `client_name` and `project_name` from the experiment's name unless its spec sets them.
 * A new experiment keeps its artifacts in `artifacts` (a folder; MLflow's default otherwise).
 */
export async function writeMlflowRuns(
  trackingUri: string,
  specs: RunSpec[],
  experiment = TEST_EXPERIMENT,
  artifacts?: string,
): Promise<string[]> {
  const [client, project] = experiment.split("/");
  const runs = specs.map((spec) => ({
    ...spec,
    tags: { client_name: client, project_name: project ?? "", ...spec.tags },
  }));
  const stdout = await runMlflowPython(
    WRITER,
    { uri: trackingUri, experiment, runs, artifacts },
    "MLflow writer",
  );
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines.at(-1)!);
}

/** A running `mlflow server`. */
export interface MlflowServer {
  /** `http://127.0.0.1:<port>`, the MLFLOW_TRACKING_URI of its clients. */
  url: string;
  /** Stops the server and its workers. */
  stop(): Promise<void>;
}

/**
 * Starts a real `mlflow server` on `backendUri` (a SQLite file, or PostgreSQL with a `python` that
 * has its driver: `scripts/server_env.sh`) and waits until it answers `/health`. Artifacts are
 * served by the server (proxied), kept in `artifactsDir` when given.
 */
export async function startMlflowServer(
  backendUri: string,
  options: {
    python?: string;
    artifactsDir?: string;
    /** Start `mlflow ui` (as a client project's README says) instead of `mlflow server`. */
    ui?: boolean;
    /** The working directory (a project root, for `mlflow ui`). */
    cwd?: string;
  } = {},
): Promise<MlflowServer> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  // setsid: the server forks uvicorn workers; killing its process group stops them all.
  const child = new Deno.Command("setsid", {
    args: [
      options.python ?? MLFLOW_PYTHON,
      "-m",
      "mlflow",
      options.ui ? "ui" : "server",
      "--backend-store-uri",
      backendUri,
      ...(options.artifactsDir ? ["--artifacts-destination", options.artifactsDir] : []),
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--workers",
      "1",
    ],
    cwd: options.cwd,
    stdout: "null",
    stderr: "piped",
    env: { MLFLOW_DISABLE_TELEMETRY: "true", MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false" },
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const url = `http://127.0.0.1:${port}`;
  let exited: Deno.CommandStatus | undefined;
  child.status.then((status) => exited = status);
  // No deadline: a loaded machine starts the server slowly, and a server that cannot start exits.
  while (true) {
    if (exited) throw new Error(`mlflow server exited ${exited.code}:\n${await stderr}`);
    try {
      const response = await fetch(`${url}/health`);
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    stop: async () => {
      Deno.kill(-child.pid, "SIGTERM");
      await Promise.all([child.status, stderr]);
    },
  };
}

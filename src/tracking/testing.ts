/**
 * Test support: writes runs into an MLflow store with the real MLflow Python client, so readers
 * are tested against what MLflow itself writes. The interpreter is MLP_TEST_MLFLOW_PYTHON (a
 * Python with mlflow installed), defaulting to the client environment `make test` builds from the
 * template (`scripts/platform_env.sh`).
 *
 * @module
 */

/** A run to write: params, tags, metrics and the status it ends with (`RUNNING`: left open). */
export interface RunSpec {
  params?: Record<string, string>;
  tags?: Record<string, string>;
  metrics?: Record<string, number>;
  status?: "FINISHED" | "FAILED" | "KILLED" | "RUNNING";
}

/** The Python interpreter with mlflow that tests use. */
export const MLFLOW_PYTHON = Deno.env.get("MLP_TEST_MLFLOW_PYTHON") ??
  new URL("../../.cache/platform-env/.venv/bin/python", import.meta.url).pathname;

const WRITER = `
import json, sys
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

spec = json.load(sys.stdin)
client = MlflowClient(tracking_uri=spec["uri"])
experiment = client.get_experiment_by_name(spec["experiment"])
experiment_id = experiment.experiment_id if experiment else client.create_experiment(spec["experiment"])
ids = []
for run in spec["runs"]:
    created = client.create_run(experiment_id, tags=run.get("tags", {}))
    run_id = created.info.run_id
    params = [Param(k, v) for k, v in run.get("params", {}).items()]
    metrics = [Metric(k, v, 0, 0) for k, v in run.get("metrics", {}).items()]
    for i in range(0, max(len(params), 1), 100):
        client.log_batch(run_id, params=params[i:i + 100], metrics=metrics if i == 0 else [])
    if run.get("status", "FINISHED") != "RUNNING":
        client.set_terminated(run_id, run.get("status", "FINISHED"))
    ids.append(run_id)
print(json.dumps(ids))
`;

/**
 * Writes `runs` into the MLflow store at `trackingUri` (e.g. `sqlite:////tmp/x/mlflow.db`), in
 * experiment `experiment`, and returns their run IDs in order.
 */
export async function writeMlflowRuns(
  trackingUri: string,
  runs: RunSpec[],
  experiment = "client/project",
): Promise<string[]> {
  const child = new Deno.Command(MLFLOW_PYTHON, {
    args: ["-c", WRITER],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(
    new TextEncoder().encode(JSON.stringify({ uri: trackingUri, experiment, runs })),
  );
  await writer.close();
  const output = await child.output();
  if (!output.success) {
    throw new Error(`MLflow writer failed:\n${new TextDecoder().decode(output.stderr)}`);
  }
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  return JSON.parse(lines.at(-1)!);
}

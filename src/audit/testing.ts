/**
 * Test support: finishes runs the way the supervisor does when they used an escape hatch: logs
 * the anchor artifact (the SHA-256 of each of their override-log lines), seals them over what the
 * store holds and ends them FINISHED, with the real MLflow client. Runs are created first (with
 * `writeMlflowRuns`, status RUNNING), since a log line names its run's ID.
 *
 * @module
 */
import { runMlflowPython } from "../tracking/testing.ts";
import { OVERRIDE_ENTRIES_ARTIFACT } from "./override_anchor.ts";

const SEALER = `
import hashlib, json, sys
from mlflow.tracking import MlflowClient
from mlp_platform.seal import SealRecord, seal_digest

spec = json.load(sys.stdin)
client = MlflowClient(tracking_uri=spec["uri"])
for item in spec["runs"]:
    run_id, text = item["run_id"], item["anchors"]
    artifacts = {}
    if text:
        client.log_text(run_id, text, spec["artifact"])
        artifacts[spec["artifact"]] = hashlib.sha256(text.encode()).hexdigest()
    run = client.get_run(run_id)
    metrics = dict(run.data.metrics)
    record = SealRecord(run_id, "FINISHED", dict(run.data.params), dict(run.data.tags), metrics,
                        {k: [v] for k, v in metrics.items()}, artifacts)
    client.set_tag(run_id, "mlp.seal", seal_digest(record))
    client.set_terminated(run_id, "FINISHED")
`;

/**
 * Anchors and seals each RUNNING run in `runs` (run ID → the hashes of its log lines; `[]` for
 * none) in the store at `trackingUri`, and ends it FINISHED.
 */
export async function sealWithAnchors(
  trackingUri: string,
  runs: Record<string, string[]>,
): Promise<void> {
  await runMlflowPython(SEALER, {
    uri: trackingUri,
    artifact: OVERRIDE_ENTRIES_ARTIFACT,
    runs: Object.entries(runs).map(([runId, hashes]) => ({
      run_id: runId,
      anchors: hashes.map((hash) => `${hash}\n`).join(""),
    })),
  }, "sealing runs");
}

import assert from "node:assert/strict";
import { join } from "node:path";
import { makeProject } from "../../hooks/testing.ts";
import { writeMlflowRuns } from "../../tracking/testing.ts";
import { runAudit } from "../run_audit.ts";

Deno.test("mlp audit, check running: a RUNNING run needs a live owner", async () => {
  const root = await makeProject();
  const lock = ".mlp/runs/live/supervisor.lock";
  await Deno.mkdir(join(root, ".mlp/runs/live"), { recursive: true });
  using held = await Deno.open(join(root, lock), { create: true, write: true });
  await held.lock(true);
  // The first run's owner holds its lock: it is alive and not reported.
  const [, ownerless] = await writeMlflowRuns(
    `sqlite:///${join(root, "mlflow.db")}`,
    [
      { tags: { "mlp.owner.lock": lock }, status: "RUNNING" },
      { status: "RUNNING" },
    ],
    undefined,
    join(root, "mlartifacts"),
  );
  const findings = (await runAudit({ root, env: {}, since: null })).findings
    .filter((f) => f.check === "running");
  assert.deepEqual(findings, [{
    level: "finding",
    check: "running",
    subject: `run ${ownerless}`,
    problem: "is RUNNING and records no owner (`mlp run` did not start it)",
    fix: "find out who wrote it; end it with the MLflow client " +
      '(`MlflowClient().set_terminated(run_id, "KILLED")`)',
  }]);
});

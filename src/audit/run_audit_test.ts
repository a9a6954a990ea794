import assert from "node:assert/strict";
import { join } from "node:path";
import { git, makeProject, provingParams } from "../hooks/testing.ts";
import { startMlflowServer, writeMlflowRuns } from "../tracking/testing.ts";
import { runAudit } from "./run_audit.ts";

Deno.test("mlp audit reads the runs of a tracking server the committed standards name", async () => {
  const root = await makeProject();
  const db = join(await Deno.makeTempDir({ prefix: "mlp-audit-server-" }), "mlflow.db");
  const server = await startMlflowServer(`sqlite:///${db}`);
  try {
    const standards = join(root, "configs/project_standards.yaml");
    await Deno.writeTextFile(
      standards,
      (await Deno.readTextFile(standards)).replace(
        /^tracking_store: project$/m,
        `tracking_store: ${server.url}`,
      ),
    );
    await git(root, ["commit", "-q", "--no-verify", "-am", "runs go to the team's server"]);
    const head = (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
    const params = await provingParams(root, head);
    const [, badLock, ownerless] = await writeMlflowRuns(server.url, [
      { params, sealed: true },
      { params: { ...params, dependency_lock_hash: "0".repeat(64) }, sealed: true },
      { status: "RUNNING" },
    ]);
    const report = await runAudit({ root, env: {}, since: null });
    assert.deepEqual(
      report.findings.filter((f) => f.level === "finding").map((f) => [f.check, f.subject]),
      [
        ["history", `commit ${head.slice(0, 12)} ("runs go to the team's server")`],
        ["runs", `run ${badLock} (commit ${head.slice(0, 12)})`],
        ["running", `run ${ownerless}`],
        // A project not made by Copier: its scaffold cannot be checked, and that is said.
        ["template drift", ".copier-answers.yml"],
      ],
    );
    assert.match(
      report.summary,
      new RegExp(`; 2 runs on main, 0 promoted; .*; store ${server.url}\\)$`),
    );
  } finally {
    await server.stop();
  }
});

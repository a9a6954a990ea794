import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { DATASET } from "../../config/testing.ts";
import { git, makeProject, provingParams } from "../../hooks/testing.ts";
import { writeMlflowRuns } from "../../tracking/testing.ts";
import { runAudit } from "../run_audit.ts";

Deno.test("mlp audit, check runs: the seal, the lock hash and the dataset of each run on main", async (t) => {
  const root = await makeProject();
  const head = (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
  const short = head.slice(0, 12);
  const uri = `sqlite:///${join(root, "mlflow.db")}`;
  const params = await provingParams(root, head);
  const [good, badLock, unsealed] = await writeMlflowRuns(
    uri,
    [
      { params, sealed: true },
      { params: { ...params, dependency_lock_hash: "0".repeat(64) }, sealed: true },
      { params, status: "FINISHED" },
    ],
    undefined,
    join(root, "mlartifacts"),
  );
  const runsFindings = async () =>
    (await runAudit({ root, env: {}, since: null })).findings.filter((f) => f.check === "runs");
  const lockFinding = {
    level: "finding",
    check: "runs",
    subject: `run ${badLock} (commit ${short})`,
    problem: `dependency_lock_hash: run has "${"0".repeat(64)}", uv.lock at commit ${short} ` +
      `hashes to "${params.dependency_lock_hash}"`,
    fix: "the run's record or the commit's uv.lock is not what the run used: find out which " +
      "changed; a new `mlp run` at the commit records the right hash",
  };
  const sealFinding = {
    level: "finding",
    check: "runs",
    subject: `run ${unsealed} (commit ${short})`,
    problem: "its seal does not hold: the run has no seal: `mlp run` did not record it (it was " +
      "written with the MLflow client, or did not finish), so its record proves nothing",
    fix: "its record is not the one `mlp run` sealed: find out who wrote or changed it " +
      "(docs/seal.md); it proves nothing now, a new `mlp run` at its commit does",
  };

  await t.step(
    "a sealed run with its commit's fingerprints passes; the others are named",
    async () => {
      assert.deepEqual(await runsFindings(), [lockFinding, sealFinding]);
    },
  );

  await t.step("a dataset file changed: every run that used it is named", async () => {
    const table = Object.keys(DATASET.files).find((path) => path.endsWith(".csv"))!;
    await Deno.writeTextFile(join(root, "data/shadow", DATASET.hash, table), "x,y\n9,z\n");
    const findings = await runsFindings();
    const datasetFindings = findings.filter((f) => f.problem.startsWith("dataset "));
    assert.deepEqual(
      datasetFindings.map((f) => f.subject),
      [good, badLock, unsealed].map((id) => `run ${id} (commit ${short})`),
    );
    assert.equal(
      datasetFindings[0].fix,
      `restore data/shadow/${DATASET.hash}/ from a backup (datasets are immutable; ` +
        "`mlp data ls` verifies them)",
    );
    const sha = (text: string) => createHash("sha256").update(text).digest("hex");
    assert.equal(
      datasetFindings[0].problem,
      `dataset "${DATASET.hash}" does not verify: Dataset file changed since it was added: its ` +
        `SHA-256 is "${sha("x,y\n9,z\n")}", MANIFEST.sha256 says "${
          sha(DATASET.files[table])
        }" (data/shadow/${DATASET.hash}/${table})`,
    );
  });
});

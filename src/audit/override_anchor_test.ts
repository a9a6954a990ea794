import assert from "node:assert/strict";
import { join } from "node:path";
import { commitAll, git, makeProject, mlp, provingParams, writeFiles } from "../hooks/testing.ts";
import { writeMlflowRuns } from "../tracking/testing.ts";
import { formatEntry, GENESIS, lineHash, type OverrideEntry } from "./override_log.ts";
import { sealWithAnchors } from "./testing.ts";

const LOG = "logs/protected_overrides.log";

/** An `unsandboxed` entry of `runId` at `commit`, chained to `prev`. */
function entry(runId: string, commit: string, prev: string, reason: string): string {
  const value: OverrideEntry = {
    ts: "2026-01-01T00:00:00.000Z",
    kind: "unsandboxed",
    field: "sandbox",
    old: "landlock",
    new: "none",
    operator: "ana@example.com",
    config: "configs/experiment.yaml",
    reason,
    commit,
    run_id: runId,
    prev,
  };
  return formatEntry(value);
}

/**
 * A project with two unsandboxed runs at HEAD, each with its entry in the committed log and
 * anchored (sealed) in the store, as `mlp run --unsandboxed` leaves them.
 */
async function anchoredFixture() {
  const root = await makeProject();
  const head = (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
  const uri = `sqlite:///${join(root, "mlflow.db")}`;
  const params = await provingParams(root, head);
  const tags = { "mlp.config": "configs/experiment.yaml", sandbox: "none" };
  const [first, second] = await writeMlflowRuns(
    uri,
    [{ params, tags, status: "RUNNING" }, { params, tags, status: "RUNNING" }],
    undefined,
    join(root, "mlartifacts"),
  );
  const one = entry(first, head, GENESIS, "no landlock on the build host");
  const two = entry(second, head, lineHash(one), "no landlock on the laptop");
  await sealWithAnchors(uri, { [first]: [lineHash(one)], [second]: [lineHash(two)] });
  await writeFiles(root, { [LOG]: `${one}\n${two}\n` });
  assert.equal((await commitAll(root, "Two unsandboxed runs")).code, 0);
  return { root, uri, head, params, first, second, one, two, db: join(root, "mlflow.db") };
}

const HINT =
  "hint: an entry must be the line `mlp run` wrote for its run, and every escape hatch " +
  `a run used must have its entry: restore ${LOG} from git history ` +
  "(`git log -p -- logs/protected_overrides.log`) and find out who changed it\n";

Deno.test("mlp log verify: each entry is anchored in the store and each escape hatch has its entry", async (t) => {
  const { root, uri, head, params, first, second, one, two, db } = await anchoredFixture();

  await t.step("an intact log whose entries are anchored passes", async () => {
    assert.deepEqual(await mlp(root, ["log", "verify"]), {
      code: 0,
      stdout: `${LOG}: 2 entries, hash chain intact, anchored in the MLflow store ${db}\n`,
      stderr: "",
    });
  });

  await t.step(
    "editing the last entry is caught: its hash is not the one its run sealed",
    async () => {
      const edited = two.replace("the laptop", "an approved host");
      await writeFiles(root, { [LOG]: `${one}\n${edited}\n` });
      const verified = await mlp(root, ["log", "verify"]);
      assert.equal(verified.code, 1);
      assert.equal(verified.stdout, "");
      assert.equal(
        verified.stderr,
        `error: ${LOG} and the MLflow store ${db} disagree\n` +
          `  - ${LOG}:2: run ${second} does not carry this entry's hash "${
            lineHash(edited)
          }" in its mlp/override_entries.txt: the entry was edited after the run (${LOG} keeps ` +
          "every version in git history)\n" +
          `  - run ${second} anchors the entry "${lineHash(two)}", which is not in ${LOG}\n` +
          HINT,
      );
      await git(root, ["checkout", "HEAD", "--", LOG]);
    },
  );

  await t.step("a forged line whose run does not exist is caught", async () => {
    const ghost = "0123456789abcdef".repeat(2);
    const forged = entry(ghost, head, lineHash(two), "approved");
    await writeFiles(root, { [LOG]: `${one}\n${two}\n${forged}\n` });
    const verified = await mlp(root, ["log", "verify"]);
    assert.equal(verified.code, 1);
    assert.equal(
      verified.stderr,
      `error: ${LOG} and the MLflow store ${db} disagree\n` +
        `  - ${LOG}:3: run ${ghost} does not exist in ${db}: the line was forged, or the store ` +
        "is not the one the run was recorded in\n" +
        HINT,
    );
    await git(root, ["checkout", "HEAD", "--", LOG]);
  });

  await t.step("a run that used --unsandboxed with no entry in the log is caught", async () => {
    const [silent] = await writeMlflowRuns(uri, [{
      params,
      tags: { "mlp.config": "configs/experiment.yaml", sandbox: "none" },
      sealed: true,
    }]);
    const verified = await mlp(root, ["log", "verify"]);
    assert.equal(verified.code, 1);
    assert.equal(
      verified.stderr,
      `error: ${LOG} and the MLflow store ${db} disagree\n` +
        `  - run ${silent} ran with --unsandboxed, but ${LOG} has no "unsandboxed" entry of it\n` +
        HINT,
    );
  });
  assert.notEqual(first, second);
  await Deno.remove(root, { recursive: true });
});

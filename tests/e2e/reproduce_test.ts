/**
 * `mlp reproduce` end to end (issue 10): one generated project, one real `mlp run`, then its
 * reproduction read back with the official MLflow client, and every refusal, each made before
 * anything is installed or trained (the record is tampered with in the store, the dataset moved
 * or changed on disk).
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { dirname, join } from "node:path";
import { TIMING_METRICS } from "../../src/contract/lists.ts";
import { createProject, MLP_ROOT, type Output, testEnv } from "../support/project.ts";
import { processesIn, waitUntil } from "../support/processes.ts";
import { Spawned } from "../support/spawned.ts";

const RUN_ID = /^[0-9a-f]{32}$/;

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

/** The refusal's message and hint as main.ts prints them (the lines that start "error:"/"hint:"). */
function said(out: Output): string[] {
  return out.stderr.split("\n").filter((line) => /^(error|hint| {2}- )/.test(line));
}

Deno.test("mlp reproduce: a run made again from its record, and each refusal", async (t) => {
  const project = await createProject();
  const { root } = project;
  const made = await project.mlp(["run"]);
  equal(made.code, 0, made.stderr);
  const runId = lastLine(made.stdout);
  match(runId, RUN_ID);
  const original = await project.readRun(runId);
  const commit = original.params.git_commit;
  const build = original.params.mlp_build;
  const store = join(root, "mlflow.db");

  /** Sets a param (or with `key` "status", the status) of the original run in the store. */
  const tamper = (key: string, value: string) => {
    const db = new DatabaseSync(store);
    try {
      if (key === "status") {
        db.prepare("UPDATE runs SET status = ? WHERE run_uuid = ?").run(value, runId);
      } else {
        db.prepare("UPDATE params SET value = ? WHERE run_uuid = ? AND key = ?")
          .run(value, runId, key);
      }
    } finally {
      db.close();
    }
  };
  const runCount = async () => (await project.runs()).length;
  const worktrees = async () =>
    (await project.git(["worktree", "list", "--porcelain"])).stdout.split("\n")
      .filter((line) => line.startsWith("worktree ")).length;
  const scratchLeft = async () => {
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(join(root, ".mlp/reproduce"))) names.push(entry.name);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return names;
  };
  let compared = 0;

  await t.step('reproduce: exit 0, "reproduced", a run of its own in the same store', async () => {
    const out = await project.mlp(["reproduce", runId]);
    equal(out.code, 0, out.stderr);
    equal(out.stdout, "reproduced\n");
    match(
      out.stderr,
      new RegExp(`^mlp: run ${runId} was made at ${commit.slice(0, 12)} on a clean tree$`, "m"),
    );
    match(
      out.stderr,
      /^mlp: installing the run's uv\.lock into a scratch environment \(uv sync --locked\)$/m,
    );
    match(
      out.stderr,
      /^mlp: not compared \(timings, never the same twice\): training_time_s, inference_latency_ms$/m,
    );
    const verdict = out.stderr.match(
      /^mlp: run ([0-9a-f]{32}) reproduces ([0-9a-f]{32}): (\d+) values identical$/m,
    );
    ok(verdict, out.stderr);
    equal(verdict[2], runId);
    compared = Number(verdict[3]);
    ok(compared > Object.keys(original.params).length, String(compared));

    const runs = await project.runs();
    equal(runs.length, 2);
    const copyId = runs[1].runId;
    equal(copyId, verdict[1]);
    const copy = await project.readRun(copyId);
    equal(copy.status, "FINISHED");
    equal(copy.tags["mlp.reproduces"], runId);
    equal(copy.tags["mlp.reproduction_verdict"], "reproduced");
    equal(copy.tags["mlflow.runName"], `reproduce ${runId.slice(0, 8)}`);
    equal(original.tags["mlp.reproduces"], undefined);
    for (const name of TIMING_METRICS) delete copy.metrics[name], delete original.metrics[name];
    deepEqual(copy.metrics, original.metrics);
    deepEqual(copy.params, original.params);
    deepEqual(copy.artifacts, original.artifacts);
    ok(copy.artifacts.includes("mlp/plan.json"), copy.artifacts.join(", "));

    // Its record holds (the artifacts were kept when the worktree went), but it attached no
    // note: the commit's note names the original run only.
    const verified = await project.mlp(["verify-run", "--commit", commit, "--run", copyId]);
    equal(verified.code, 0, verified.stderr);
    const note = await project.git(["notes", "--ref=mlflow", "show", commit]);
    ok(note.stdout.includes(runId), note.stdout);
    ok(!note.stdout.includes(copyId), note.stdout);
    equal(await worktrees(), 1);
    deepEqual(await scratchLeft(), []);
  });

  await t.step("refused before anything is installed: the record says it cannot be", async () => {
    const cases: [key: string, value: string, restore: string, expected: string[]][] = [
      ["git_dirty", "true", "false", [
        `error: Run ${runId} was made on a dirty tree (git_dirty=true): no commit holds the code ` +
        "it ran, so it cannot be reproduced",
        "hint: commit the change and run it again with `mlp run`; that run can be reproduced",
      ]],
      ["status", "FAILED", "FINISHED", [
        `error: Run ${runId} is FAILED, not FINISHED: it cannot be reproduced`,
        "hint: only a finished run has results to compare; reproduce a FINISHED run",
      ]],
      ["mlp_build", "0.1.0+ts.old.py.old", build, [
        `error: Run ${runId} was made with mlp build "0.1.0+ts.old.py.old"; this mlp is build ` +
        `"${build}"`,
        "  - the platform Python of the build decides the splits, the fitting and the metrics",
        "hint: reproduce with the mlp of that build, or pass --any-mlp to reproduce with this " +
        "one (the build then differs in the comparison)",
      ]],
      ["dependency_lock_hash", "0".repeat(64), original.params.dependency_lock_hash, [
        `error: uv.lock: At the run's commit ${commit.slice(0, 12)} it hashes to ` +
        `"${original.params.dependency_lock_hash}"; the run recorded dependency_lock_hash ` +
        `"${"0".repeat(64)}"`,
        "hint: the run's record and its commit disagree: its environment cannot be rebuilt " +
        "from the commit (`mlp verify-run` checks the record)",
      ]],
    ];
    for (const [key, value, restore, expected] of cases) {
      tamper(key, value);
      try {
        const out = await project.mlp(["reproduce", runId]);
        equal(out.code, 1, `${key}: ${out.stderr}`);
        equal(out.stdout, "");
        deepEqual(said(out), expected, key);
      } finally {
        tamper(key, restore);
      }
    }
    const unknown = await project.mlp(["reproduce", "f".repeat(32)]);
    equal(unknown.code, 1);
    deepEqual(said(unknown), [
      `error: Run ${"f".repeat(32)} is not in the store (${store})`,
      "hint: give the ID of a run of this project's store (`mlp query` lists them)",
    ]);
    const typo = await project.mlp(["reproduce", "latest"]);
    equal(typo.code, 2);
    equal(await runCount(), 2);
    equal(await worktrees(), 1);
    deepEqual(await scratchLeft(), []);
  });

  await t.step("the dataset: missing, then changed by one byte under --data", async () => {
    const hash = project.datasetHash;
    const away = join(dirname(root), "shadow-away");
    await Deno.rename(join(root, "data/shadow"), away);
    try {
      const missing = await project.mlp(["reproduce", runId]);
      equal(missing.code, 1, missing.stderr);
      deepEqual(said(missing), [
        `error: The run's dataset ${hash} is not in data/shadow/`,
        "hint: give the directory that holds it with --data DIR (a copy of data/shadow/, e.g. " +
        "from a backup)",
      ]);

      const table = (await Array.fromAsync(Deno.readDir(join(away, hash))))
        .map((entry) => entry.name).find((name) => name.endsWith(".parquet"))!;
      const bytes = await Deno.readFile(join(away, hash, table));
      bytes[100] ^= 0xff;
      await Deno.writeFile(join(away, hash, table), bytes);
      const changed = await project.mlp(["reproduce", runId, "--data", away]);
      equal(changed.code, 1, changed.stderr);
      const first = said(changed)[0];
      match(
        first,
        new RegExp(
          `^error: .*shadow-away/${hash}/${table}: Dataset file changed since it was added`,
        ),
      );
      bytes[100] ^= 0xff;
      await Deno.writeFile(join(away, hash, table), bytes);
    } finally {
      await Deno.rename(away, join(root, "data/shadow"));
    }
    equal(await runCount(), 2);
    equal(await worktrees(), 1);
    deepEqual(await scratchLeft(), []);
  });

  await t.step("--any-mlp goes on with another build, which then differs (--json)", async () => {
    tamper("mlp_build", "0.1.0+ts.old.py.old");
    try {
      const out = await project.mlp(["reproduce", runId, "--any-mlp", "--json"]);
      equal(out.code, 1, out.stderr);
      match(
        out.stderr,
        /^mlp: warning: the run was made with mlp build "0\.1\.0\+ts\.old\.py\.old"; reproducing with "[^"]+" \(--any-mlp\)$/m,
      );
      const runs = await project.runs();
      equal(runs.length, 3);
      const copyId = runs[2].runId;
      deepEqual(JSON.parse(out.stdout), {
        runId,
        reproductionRunId: copyId,
        verdict: "differs",
        mlpBuild: { original: "0.1.0+ts.old.py.old", reproduction: build },
        compared,
        ignored: ["training_time_s", "inference_latency_ms"],
        differences: [
          {
            name: "mlp_build",
            kind: "fingerprint",
            original: "0.1.0+ts.old.py.old",
            reproduction: build,
          },
        ],
      });
      match(
        out.stderr,
        new RegExp(`^error: Run ${copyId} differs from ${runId} in 1 of ${compared} values$`, "m"),
      );
      const copy = await project.readRun(copyId);
      equal(copy.tags["mlp.reproduces"], runId);
      equal(copy.tags["mlp.reproduction_verdict"], "differs");
    } finally {
      tamper("mlp_build", build);
    }
    equal(await worktrees(), 1);
    deepEqual(await scratchLeft(), []);
  });

  await t.step(
    "Ctrl-C while the environment is installed: nothing recorded, nothing left",
    async () => {
      const child = new Spawned(join(MLP_ROOT, "bin/mlp"), ["reproduce", runId], root, testEnv());
      await child.waitFor(/^mlp: installing the run's uv\.lock/);
      child.child.kill("SIGINT");
      const status = await child.status();
      equal(status.code, 130, child.lines.join("\n"));
      deepEqual(child.lines.slice(-2), [
        "error: Interrupted by SIGINT before the reproduction was recorded: nothing was, and the " +
        "temporary worktree is removed",
        `hint: run \`mlp reproduce ${runId}\` again when you are ready`,
      ]);
      equal(await runCount(), 3);
      equal(await worktrees(), 1);
      deepEqual(await scratchLeft(), []);
    },
  );

  await t.step(
    "kill -9 while the environment is installed: the next reproduce removes what was left",
    async () => {
      const child = new Spawned(join(MLP_ROOT, "bin/mlp"), ["reproduce", runId], root, testEnv());
      await child.waitFor(/^mlp: installing the run's uv\.lock/);
      child.child.kill("SIGKILL");
      equal((await child.status()).signal, "SIGKILL");
      const left = await scratchLeft();
      equal(left.length, 1, "the killed mlp cleaned nothing up");
      equal(await worktrees(), 2);
      // uv outlives the mlp that started it, and goes on writing the environment until done.
      await waitUntil(() => processesIn(root).length === 0, "the orphaned uv sync to end");
      // Refused at once (no such run), after the cleanup every reproduction starts with.
      const next = await project.mlp(["reproduce", "0".repeat(32)]);
      equal(next.code, 1, next.stderr);
      equal(
        next.stderr.split("\n")[0],
        `mlp: removed .mlp/reproduce/${left[0]}/, left by a reproduction that was killed`,
      );
      equal(await runCount(), 3);
      equal(await worktrees(), 1);
      deepEqual(await scratchLeft(), []);
    },
  );
});

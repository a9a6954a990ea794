/**
 * The end state follows the work, never the pipe (issue 6, items 1 and 2): whichever process of a
 * run dies first (mlp, the supervisor, the trainer), and whatever signal reaches mlp (SIGINT,
 * SIGTERM, SIGHUP from a closed terminal), the run ends FINISHED, FAILED or KILLED, or nothing is
 * recorded, and no process of the run is left. Real processes, real signals, a real terminal.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { createProject, MLP_ROOT, testEnv, type TestProject } from "../support/project.ts";
import { processesIn, processOf, waitUntil } from "../support/processes.ts";
import { Spawned } from "../support/spawned.ts";

const RUN_STARTED = /^mlp: MLflow run ([0-9a-f]{32}) started/;
const FEATURES_STARTED = /^test: features started$/;
/** Project code that announces itself and then trains for ten minutes: a run to interrupt. */
const SLOW_FEATURES = "\n\nimport sys as _sys, time as _time\n_build = build_features\n\n" +
  "def build_features(df, params):\n" +
  "    print('test: features started', file=_sys.stderr, flush=True)\n" +
  "    _time.sleep(600)\n    return _build(df, params)\n";

function spawnMlp(project: TestProject, args: string[]): Spawned {
  return new Spawned(join(MLP_ROOT, "bin/mlp"), args, project.root, testEnv());
}

async function allGone(project: TestProject): Promise<void> {
  await waitUntil(
    () => processesIn(project.root).length === 0,
    `every process of the run in ${project.root} to exit`,
  );
}

async function artifactText(project: TestProject, runId: string, path: string): Promise<string> {
  return await project.python<string>(`
import json, pathlib
from mlflow.tracking import MlflowClient
local = MlflowClient("sqlite:///${project.root}/mlflow.db").download_artifacts("${runId}", "${path}")
print(json.dumps(pathlib.Path(local).read_text()))
`);
}

async function runDirs(project: TestProject): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(join(project.root, ".mlp/runs"))))
      .map((e) => e.name).sort();
  } catch {
    return [];
  }
}

Deno.test("kill -9 of mlp: the supervisor ends the run KILLED and no process of it is left", async (t) => {
  const project = await createProject({ rows: 1000 });
  await project.edit("src/features.py", /$/, SLOW_FEATURES);

  await t.step("while project code runs", async () => {
    const run = spawnMlp(project, ["run"]);
    const [, runId] = await run.waitFor(RUN_STARTED);
    await run.waitFor(FEATURES_STARTED);
    Deno.kill(run.child.pid, "SIGKILL");
    await run.status();
    await allGone(project);
    const record = await project.readRun(runId);
    equal(record.status, "KILLED");
    equal(
      await artifactText(project, runId, "error/traceback.txt"),
      "mlp exited while the run was in progress (its pipe to the supervisor closed)\n",
    );
  });

  await t.step("before the run exists: nothing is left RUNNING", async () => {
    const before = (await project.runs()).length;
    const run = spawnMlp(project, ["run"]);
    await run.waitFor(/^mlp: git [0-9a-f]{12}/);
    Deno.kill(run.child.pid, "SIGKILL");
    await run.status();
    await allGone(project);
    const runs = (await project.runs()).slice(before);
    ok(runs.every((r) => r.status === "KILLED"), JSON.stringify(runs));
    const repair = await project.mlp(["runs", "repair"]);
    equal(repair.code, 0, repair.stderr);
    match(repair.stdout, /nothing to repair|tidied \.mlp\/runs\//);
  });
});

Deno.test("kill -9 of the supervisor or the trainer: mlp records the true end", async (t) => {
  const project = await createProject({ rows: 1000 });
  await project.edit("src/features.py", /$/, SLOW_FEATURES);

  await t.step(
    "the supervisor: mlp ends the run KILLED, exit 130, the trainer is gone",
    async () => {
      const run = spawnMlp(project, ["run"]);
      const [, runId] = await run.waitFor(RUN_STARTED);
      await run.waitFor(FEATURES_STARTED);
      Deno.kill(processOf(project.root, "supervisor").pid, "SIGKILL");
      const status = await run.status();
      equal(status.code, 130, run.stderr);
      equal((await run.stdout).trim(), runId);
      await allGone(project);
      const record = await project.readRun(runId);
      equal(record.status, "KILLED");
      match(
        record.tags["mlp.end_reason"],
        /^the supervisor exited with code 137 \(killed by signal 9\) before ending the run; ended by mlp$/,
      );
      ok(
        run.lines.includes(
          `mlp: run ${runId} was stopped (the supervisor exited with code 137 (killed by signal 9) ` +
            "before ending the run) and is recorded KILLED",
        ),
        run.stderr,
      );
    },
  );

  await t.step("the trainer: the run ends FAILED saying how, exit 1", async () => {
    const run = spawnMlp(project, ["run"]);
    const [, runId] = await run.waitFor(RUN_STARTED);
    await run.waitFor(FEATURES_STARTED);
    Deno.kill(processOf(project.root, "trainer").pid, "SIGKILL");
    const status = await run.status();
    equal(status.code, 1, run.stderr);
    await allGone(project);
    equal((await project.readRun(runId)).status, "FAILED");
    match(
      await artifactText(project, runId, "error/traceback.txt"),
      /the trainer was killed by SIGKILL \(the kernel kills a process that runs out of memory this way\)\n$/,
    );
  });

  await t.step("mlp and the supervisor at once: the next mlp command ends the run", async () => {
    const run = spawnMlp(project, ["run"]);
    const [, runId] = await run.waitFor(RUN_STARTED);
    await run.waitFor(FEATURES_STARTED);
    const supervisor = processOf(project.root, "supervisor");
    Deno.kill(supervisor.pid, "SIGKILL");
    Deno.kill(run.child.pid, "SIGKILL");
    await run.status();
    await allGone(project);
    equal((await project.readRun(runId)).status, "RUNNING");
    const repair = await project.mlp(["runs", "repair"]);
    equal(repair.code, 0, repair.stderr);
    const reason = "left RUNNING: no process holds its lock " +
      `.mlp/runs/${(await runDirs(project)).at(-1)}/supervisor.lock (its supervisor ` +
      `(process ${supervisor.pid}) has exited, or this project is a copy); ended by mlp`;
    ok(repair.stdout.includes(`ended ${runId}: KILLED (${reason})`), repair.stdout);
    match(repair.stdout, /^tidied \.mlp\/runs\/\S+$/m);
    const record = await project.readRun(runId);
    equal(record.status, "KILLED");
    equal(record.tags["mlp.end_reason"], reason);
    const again = await project.mlp(["runs", "repair"]);
    equal(
      again.stdout,
      "nothing to repair: no run is left RUNNING by a process that is gone\n",
    );
  });

  await t.step("what a killed run leaves in .mlp/runs is its diagnosis, no scratch", async () => {
    for (const name of await runDirs(project)) {
      const files = (await Array.fromAsync(Deno.readDir(join(project.root, ".mlp/runs", name))))
        .map((e) => e.name);
      ok(!files.includes("scratch"), `${name}: ${files.join(", ")}`);
      ok(files.includes("plan.json") && files.includes("closed"), `${name}: ${files.join(", ")}`);
    }
  });
});

Deno.test("signals at any moment of mlp run: exit 130, nothing recorded or KILLED", async (t) => {
  const project = await createProject({ rows: 1000 });

  await t.step("SIGTERM as soon as mlp starts: nothing recorded", async () => {
    const run = spawnMlp(project, ["run"]);
    await run.waitFor(/are valid$/);
    Deno.kill(run.child.pid, "SIGTERM");
    const status = await run.status();
    equal(status.code, 130, run.stderr);
    equal(await run.stdout, "");
    ok(
      run.lines.includes(
        "error: Interrupted by SIGTERM before the run started: nothing was recorded",
      ),
      run.stderr,
    );
    deepEqual(await project.runs(), []);
    deepEqual(await runDirs(project), []);
    await allGone(project);
  });

  await t.step("SIGINT right after the fingerprints: exit 130, nothing or KILLED", async () => {
    const run = spawnMlp(project, ["run"]);
    await run.waitFor(/^mlp: git [0-9a-f]{12}/);
    Deno.kill(run.child.pid, "SIGINT");
    const status = await run.status();
    equal(status.code, 130, run.stderr);
    await allGone(project);
    const runs = await project.runs();
    ok(runs.every((r) => r.status === "KILLED"), JSON.stringify(runs));
  });

  await project.edit("src/features.py", /$/, SLOW_FEATURES);
  await t.step("SIGHUP from a closed terminal during training: KILLED, exit 130", async () => {
    const terminal = new Spawned(
      "python3",
      [join(MLP_ROOT, "tests/support/pty_run.py"), join(MLP_ROOT, "bin/mlp"), "run"],
      project.root,
      testEnv(),
      { follow: "stdout", stdin: "piped" },
    );
    const [, runId] = await terminal.waitFor(RUN_STARTED);
    await terminal.waitFor(FEATURES_STARTED);
    await terminal.send("hangup\n");
    await terminal.status();
    const exit = terminal.lines.at(-1);
    equal(exit, "exit 130", terminal.stderr);
    await allGone(project);
    equal((await project.readRun(runId)).status, "KILLED");
    equal(
      await artifactText(project, runId, "error/traceback.txt"),
      "interrupted by SIGHUP\n",
    );
  });
});

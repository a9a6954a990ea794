/**
 * The fault suite (`make test-faults`): kills mlp, uv, the supervisor or the trainer at random
 * moments of real runs of a small project, as an unlucky user or the kernel would (SIGKILL, and
 * SIGINT, SIGTERM, SIGHUP for mlp), and checks after the next mlp command that every record is
 * true: no run RUNNING, no complete run recorded FAILED, the store passes SQLite's integrity
 * check, every dataset and the override log verify, and no process of a run is left.
 *
 * Usage: `deno run -A tests/faults/fault_suite.ts [RUNS] [SEED]` (default 32 runs, a random seed,
 * printed so that a failure can be replayed). The last line is `N passed, N failed`, one test per
 * run.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { createProject, exec, MLP_ROOT, testEnv, type TestProject } from "../support/project.ts";
import { processesIn, type Role, roleOf, waitUntil } from "../support/processes.ts";
import { Spawned } from "../support/spawned.ts";

const RUNS = Number(Deno.args[0] ?? 32);
const SEED = Number(Deno.args[1] ?? Math.floor(Math.random() * 2 ** 31));
/** Two projects side by side: the machine has two cores. */
const LANES = 2;

/** Moments of a run, in order, as its stderr shows them. */
const MOMENTS: { name: string; line: RegExp }[] = [
  { name: "configs valid", line: /are valid$/ },
  { name: "dataset verified", line: /^mlp: dataset \S+ verified/ },
  { name: "fingerprints", line: /^mlp: git [0-9a-f]{12}/ },
  { name: "trainer sandboxed", line: /^trainer: sandboxed/ },
  { name: "run created", line: /^mlp: MLflow run [0-9a-f]{32} started/ },
  { name: "fold 0 fitted", line: /^trainer: fold 0 fitted/ },
  { name: "fold 4 fitted", line: /^trainer: fold 4 fitted/ },
];
/** The first moment at which each victim exists. */
const EXISTS_FROM: Record<Exclude<Victim, "none">, number> = {
  mlp: 0,
  uv: 2,
  supervisor: 3,
  trainer: 3,
};

type Victim = Extract<Role, "mlp" | "uv" | "supervisor" | "trainer"> | "none";

/** One planned fault. */
interface Fault {
  victim: Victim;
  moment: number;
  delayMs: number;
  signal: Deno.Signal;
  unsandboxed: boolean;
}

/** What one run under a fault left, and whether every record is true. */
interface Outcome {
  fault: Fault;
  killed: boolean;
  exitCode: number;
  statusAfter: string;
  problems: string[];
}

/** mulberry32: a small seeded generator, so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function planFaults(count: number, next: () => number): Fault[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const victims: Victim[] = ["mlp", "mlp", "mlp", "supervisor", "supervisor", "trainer", "uv"];
  return Array.from({ length: count }, (_, i) => {
    // Every eighth run is left alone: the suite must also see runs finish.
    const victim: Victim = i % 8 === 7 ? "none" : pick(victims);
    const from = victim === "none" ? 0 : EXISTS_FROM[victim];
    const signal: Deno.Signal = victim === "mlp"
      ? pick(["SIGKILL", "SIGKILL", "SIGINT", "SIGTERM", "SIGHUP"] as const)
      : pick(["SIGKILL", "SIGKILL", "SIGKILL", "SIGTERM"] as const);
    return {
      victim,
      moment: from + Math.floor(next() * (MOMENTS.length - from)),
      delayMs: Math.floor(next() * 1500),
      signal,
      unsandboxed: next() < 0.25,
    };
  });
}

function describeFault(fault: Fault): string {
  if (fault.victim === "none") return "no fault";
  const unsandboxed = fault.unsandboxed ? ", --unsandboxed" : "";
  return `${fault.signal} to ${fault.victim} ${fault.delayMs} ms after "${
    MOMENTS[fault.moment].name
  }"${unsandboxed}`;
}

interface StoredRun {
  runId: string;
  status: string;
  metrics: string[];
}

async function storedRuns(project: TestProject): Promise<StoredRun[]> {
  try {
    await Deno.stat(join(project.root, "mlflow.db"));
  } catch {
    return [];
  }
  return await project.python<StoredRun[]>(`
import json
from mlflow.entities import ViewType
from mlflow.tracking import MlflowClient
client = MlflowClient("sqlite:///${project.root}/mlflow.db")
ids = [e.experiment_id for e in client.search_experiments(view_type=ViewType.ALL)]
runs = client.search_runs(ids, run_view_type=ViewType.ALL, order_by=["attributes.start_time ASC"])
print(json.dumps([{"runId": r.info.run_id, "status": r.info.status,
                   "metrics": sorted(r.data.metrics)} for r in runs]))
`);
}

function integrity(project: TestProject): string {
  try {
    Deno.statSync(join(project.root, "mlflow.db"));
  } catch {
    return "ok"; // no run created the store yet
  }
  try {
    const db = new DatabaseSync(join(project.root, "mlflow.db"), { readOnly: true });
    try {
      const rows = db.prepare("PRAGMA integrity_check").all() as Record<string, unknown>[];
      return rows.map((row) => String(Object.values(row)[0])).join("; ");
    } finally {
      db.close();
    }
  } catch (error) {
    return String(error);
  }
}

/** Runs under `fault`; `known` holds the IDs of earlier runs and gains this run's. */
async function runWithFault(
  project: TestProject,
  fault: Fault,
  known: Set<string>,
): Promise<Outcome> {
  const args = fault.unsandboxed ? ["run", "--unsandboxed", "--reason", "fault suite"] : ["run"];
  const run = new Spawned(join(MLP_ROOT, "bin/mlp"), args, project.root, testEnv());
  let killed = false;
  const ended = run.status();
  if (fault.victim !== "none") {
    const moment = run.waitFor(MOMENTS[fault.moment].line).then(() => true, () => false);
    if (await Promise.race([moment, ended.then(() => false)])) {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      const target = processesIn(project.root).find((p) => roleOf(p) === fault.victim);
      if (target) {
        try {
          Deno.kill(target.pid, fault.signal);
          killed = true;
        } catch {
          // It exited between the look and the kill.
        }
      }
    }
  }
  const status = await ended;
  const problems: string[] = [];
  try {
    await waitUntil(() => processesIn(project.root).length === 0, "the run's processes to exit");
  } catch {
    const left = processesIn(project.root);
    problems.push(`processes left: ${left.map((p) => `${roleOf(p)} ${p.pid}`).join(", ")}`);
    for (const process of left) Deno.kill(process.pid, "SIGKILL");
  }

  // The next mlp command reconciles the store before anything else.
  const repair = await project.mlp(["runs", "repair"]);
  if (repair.code !== 0) problems.push(`mlp runs repair exited ${repair.code}: ${repair.stderr}`);
  const runs = (await storedRuns(project)).filter((r) => !known.has(r.runId));
  for (const r of runs) known.add(r.runId);
  for (const r of runs) {
    if (r.status === "RUNNING") problems.push(`run ${r.runId} is RUNNING`);
    if (r.status === "FAILED" && r.metrics.includes("roc_auc")) {
      problems.push(`run ${r.runId} recorded its metrics but is FAILED`);
    }
  }
  const check = integrity(project);
  if (check !== "ok") problems.push(`integrity_check: ${check}`);
  const data = await project.mlp(["data", "verify", "--all"]);
  if (data.code !== 0) problems.push(`mlp data verify --all exited ${data.code}: ${data.stderr}`);
  const log = await project.mlp(["log", "verify"]);
  if (log.code !== 0) problems.push(`mlp log verify exited ${log.code}: ${log.stderr}`);
  return {
    fault,
    killed,
    exitCode: status.code,
    statusAfter: runs.map((r) => r.status).join("+") || "nothing recorded",
    problems,
  };
}

async function lane(faults: Fault[], offset: number): Promise<Outcome[]> {
  const project = await createProject({ rows: 800 });
  const outcomes: Outcome[] = [];
  const known = new Set<string>();
  for (const [i, fault] of faults.entries()) {
    const outcome = await runWithFault(project, fault, known);
    outcomes.push(outcome);
    const verdict = outcome.problems.length === 0 ? "ok" : "FAILED";
    console.log(
      `faults: run ${offset + i + 1}: ${describeFault(fault)}${
        outcome.killed ? "" : " (no kill)"
      }` +
        ` -> exit ${outcome.exitCode}, ${outcome.statusAfter}: ${verdict}`,
    );
    for (const problem of outcome.problems) console.log(`  - ${problem}`);
  }
  await exec("rm", ["-rf", project.root], "/");
  return outcomes;
}

function count<T>(items: T[], key: (item: T) => string): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort().map(([name, n]) => `${name} ${n}`).join(", ");
}

if (import.meta.main) {
  console.log(
    `faults: ${RUNS} runs, seed ${SEED} (replay: deno run -A ${import.meta.filename} ${RUNS} ${SEED})`,
  );
  const faults = planFaults(RUNS, random(SEED));
  const per = Math.ceil(RUNS / LANES);
  const outcomes = (await Promise.all(
    Array.from({ length: LANES }, (_, l) => lane(faults.slice(l * per, (l + 1) * per), l * per)),
  )).flat();
  const after = (predicate: (o: Outcome) => boolean) => outcomes.filter(predicate).length;
  console.log(`faults: killed ${count(outcomes.filter((o) => o.killed), (o) => o.fault.victim)}`);
  console.log(`faults: end states ${count(outcomes, (o) => o.statusAfter)}`);
  console.log(
    "faults: after the next mlp command: " +
      `${after((o) => o.problems.some((p) => p.endsWith("is RUNNING")))} runs RUNNING, ` +
      `${
        after((o) => o.problems.some((p) => p.endsWith("but is FAILED")))
      } complete runs recorded FAILED, ` +
      `integrity_check ok ${
        after((o) => !o.problems.some((p) => p.startsWith("integrity")))
      }/${RUNS}, ` +
      `datasets verified ${
        after((o) => !o.problems.some((p) => p.startsWith("mlp data")))
      }/${RUNS}, ` +
      `override log verified ${
        after((o) => !o.problems.some((p) => p.startsWith("mlp log")))
      }/${RUNS}, ` +
      `processes left behind ${
        after((o) => o.problems.some((p) => p.startsWith("processes left")))
      }`,
  );
  const failed = after((o) => o.problems.length > 0);
  console.log(`${RUNS - failed} passed, ${failed} failed`);
  Deno.exit(failed === 0 ? 0 : 1);
}

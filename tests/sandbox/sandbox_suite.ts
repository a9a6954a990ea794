/**
 * The sandbox suite (issue 7, "Tests and figures"): real client projects from the template, one
 * real `mlp run` per attack, each with its attack appended to src/features.py (an uncommitted
 * edit: the attack is judged by evidence, not by the record's cleanliness). The evidence is read
 * outside the sandbox: the store with the official MLflow client, the estimator of the logged
 * model with skops, the host's listeners, /dev/shm and processes.
 *
 * Prints `stopped: <name> — <evidence>` or `SUCCEEDED: <name> — <evidence>` per attempt, then
 * `sandbox: N of N attempts stopped` and last `N passed, N failed`; exits 1 if any succeeded.
 *
 * Run: `deno run -A tests/sandbox/sandbox_suite.ts` (`make test-sandbox`).
 *
 * @module
 */
import { dirname, join } from "node:path";
import { createProject, type TestProject } from "../support/project.ts";
import { attackRuns, LIVE_NAME, MARKER } from "./attacks.ts";
import {
  ATTEMPTS,
  type Baseline,
  type HostEvidence,
  judge,
  line,
  type RunEvidence,
  summary,
} from "./evidence.ts";

const ROWS = 2000;
/** The delayed child rewrites files 3, 8 and 18 s after the feature stage started. */
const DELAYED_CHILD_LAST_S = 20;

/** A Unix listener that counts the bytes it receives. */
function unixListener(path: string): { close: () => void; bytes: () => number } {
  const listener = Deno.listen({ transport: "unix", path });
  let bytes = 0;
  (async () => {
    for await (const connection of listener) {
      (async () => {
        for await (const chunk of connection.readable) bytes += chunk.length;
      })().catch(() => {});
    }
  })().catch(() => {});
  return { close: () => listener.close(), bytes: () => bytes };
}

/** A TCP listener on 127.0.0.1 (a free port) that counts the connections it accepts. */
function tcpListener(): { close: () => void; port: number; connections: () => number } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  (async () => {
    for await (const connection of listener) {
      connections++;
      connection.close();
    }
  })().catch(() => {});
  return {
    close: () => listener.close(),
    port: listener.addr.port,
    connections: () => connections,
  };
}

/** Processes named LIVE_NAME whose environment points into `root` (this suite's, not another's). */
async function liveChildren(root: string): Promise<{ pid: number; comm: string }[]> {
  const found = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const comm = (await Deno.readTextFile(`/proc/${entry.name}/comm`)).trim();
      if (comm !== LIVE_NAME) continue;
      const environ = await Deno.readTextFile(`/proc/${entry.name}/environ`).catch(() => root);
      if (environ.includes(root)) found.push({ pid: Number(entry.name), comm });
    } catch {
      // The process ended while it was read.
    }
  }
  return found;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Reads one run: its record with the official MLflow client, and its logged model. */
async function readRun(
  project: TestProject,
  honestSource: string,
  runId: string,
): Promise<Omit<RunEvidence, "code" | "output">> {
  return await project.python(`
import glob, json, sys, warnings
warnings.filterwarnings("ignore")
import mlflow, numpy, pandas as pd, skops.io, yaml
from mlflow.tracking import MlflowClient
sys.path.insert(0, ${JSON.stringify(honestSource)})
from features import build_features
mlflow.set_tracking_uri("sqlite:///${project.root}/mlflow.db")
run = MlflowClient().get_run("${runId}")
out = {"status": run.info.status, "metrics": run.data.metrics, "params": run.data.params}
if run.info.status == "FAILED":
    try:
        path = MlflowClient().download_artifacts("${runId}", "error/traceback.txt")
        out["error"] = [l.strip() for l in open(path) if l.strip()][-1]
    except Exception as error:
        print(repr(error), file=sys.stderr)
if run.info.status == "FINISHED":
    try:
        config = yaml.safe_load(open("${project.root}/configs/experiment.yaml"))
        df = pd.read_parquet(glob.glob("${project.root}/data/shadow/${project.datasetHash}/*.parquet")[0]).head(200)
        x = build_features(df.drop(columns=[config["protected"]["target_column"]]), config["features"])
        # The estimator the logged model holds, read with skops: loading the pyfunc would run the
        # model's own copy of features.py, which is the attack.
        folder = mlflow.artifacts.download_artifacts("runs:/${runId}/model")
        settings = json.load(open(folder + "/artifacts/model_settings.json"))
        model = skops.io.load(folder + "/artifacts/estimator.skops", trusted=settings["skops_trusted_types"])
        scores = numpy.asarray(model.predict_proba(x), dtype=float)[:, 1]
        out["model"] = {"className": type(model).__name__, "distinct": len(set(numpy.round(scores, 9).tolist())),
                        "rows": len(scores)}
    except Exception as error:
        print(repr(error), file=sys.stderr)
print(json.dumps(out))
`);
}

/** A project of the suite, with the template's own features.py kept aside for reading models. */
interface Prepared {
  project: TestProject;
  /** The project's parent directory (real path): the only place its attacks write. */
  root: string;
  original: string;
  honestSource: string;
  /** IDs of the runs already read, to find the one a failed `mlp run` recorded. */
  seen: Set<string>;
}

/** Runs `mlp run` with `appendix` appended to src/features.py and reads the run it recorded. */
async function attackRun(p: Prepared, appendix: string): Promise<RunEvidence & { runId?: string }> {
  await Deno.writeTextFile(join(p.project.root, "src/features.py"), p.original + appendix);
  const out = await p.project.mlp(["run"]);
  const output = out.stdout + "\n" + out.stderr;
  const base = { code: out.code, output, metrics: {}, params: {} };
  // A run that finished prints its ID last; one that failed is found in the store.
  const runId = out.code === 0
    ? out.stdout.trim().split("\n").at(-1)!
    : (await p.project.runs()).filter((r) => !p.seen.has(r.runId)).at(-1)?.runId;
  if (!runId) return base;
  p.seen.add(runId);
  return { ...base, runId, ...(await readRun(p.project, p.honestSource, runId)) };
}

async function prepare(): Promise<Prepared> {
  const project = await createProject({ rows: ROWS });
  const root = await Deno.realPath(dirname(project.root));
  const original = await Deno.readTextFile(join(project.root, "src/features.py"));
  const honestSource = join(root, "honest");
  await Deno.mkdir(honestSource);
  await Deno.writeTextFile(join(honestSource, "features.py"), original);
  return { project, root, original, honestSource, seen: new Set() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<number> {
  const started = Date.now();
  const tag = crypto.randomUUID().slice(0, 12);
  const hostDir = await Deno.makeTempDir({ prefix: "mlp-sandbox-host-" });
  const secret = `sandbox-secret-${tag}`;
  const planted = `/dev/shm/mlp-sandbox-planted-${tag}`;
  const written = `/dev/shm/mlp-sandbox-written-${tag}`;
  const unix = unixListener(join(hostDir, "host.sock"));
  const tcp = tcpListener();
  await Deno.writeTextFile(planted, secret);
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const [a, b] = await Promise.all([prepare(), prepare()]);
    cleanups.push(...[a, b].map(({ root }) => () => Deno.remove(root, { recursive: true })));
    const sources = (p: Prepared) =>
      attackRuns({
        suiteRoot: p.root,
        planted,
        secret,
        written,
        unixListener: join(hostDir, "host.sock"),
        tcpPort: tcp.port,
        postgresSocket: "/var/run/postgresql/.s.PGSQL.5432",
        mariadbSocket: "/run/mysqld/mysqld.sock",
      });
    const runs: Record<string, RunEvidence> = {};
    let host: HostEvidence = { unixBytes: 0, tcpConnections: 0, shmLeft: false, live: [] };
    const queueA = async () => {
      for (const name of ["honest", "labelsFrame", "labelsFile", "labelsInspect", "labelsGc"]) {
        runs[name] = await attackRun(a, sources(a)[name]);
      }
    };
    const queueB = async () => {
      runs.exfiltration = await attackRun(b, sources(b).exfiltration);
      await sleep(2000);
      const live = await liveChildren(b.root);
      for (const { pid } of live) Deno.kill(pid, "SIGKILL");
      host = {
        unixBytes: unix.bytes(),
        tcpConnections: tcp.connections(),
        shmLeft: await exists(written),
        live: live.map(({ pid, comm }) => `${pid} ${comm}`),
      };
      for (const name of ["scoresAndResultAtexit", "modelAtexit", "patchEstimator"]) {
        runs[name] = await attackRun(b, sources(b)[name]);
      }
      const startedAt = Date.now();
      const delayed = await attackRun(b, sources(b).delayedChild);
      // A child that outlived the run would rewrite the store's files after mlp exited: read
      // the run again once its last rewrite is due.
      await sleep(Math.max(0, startedAt + DELAYED_CHILD_LAST_S * 1000 - Date.now()));
      runs.delayedChild = delayed.runId
        ? { ...delayed, ...(await readRun(b.project, b.honestSource, delayed.runId)) }
        : delayed;
    };
    await Promise.all([queueA(), queueB()]);
    const honest = runs.honest;
    if (honest.status !== "FINISHED" || !honest.model) {
      console.error(
        `sandbox: the honest run did not finish (mlp exit ${honest.code}):\n${honest.output}`,
      );
      return 1;
    }
    const baseline: Baseline = {
      auc: honest.metrics.roc_auc,
      rows: Number(honest.params["dataset.rows"]),
      modelClass: honest.model.className,
    };
    const verdicts = ATTEMPTS.map((attempt) => {
      const run = runs[attempt.run];
      const verdict = judge(attempt, run, host, baseline, MARKER, secret);
      console.log(line(attempt.name, verdict));
      return verdict;
    });
    console.log(
      `sandbox: ${((Date.now() - started) / 1000).toFixed(0)} s, honest roc_auc ${
        baseline.auc.toFixed(4)
      }`,
    );
    for (const text of summary(verdicts)) console.log(text);
    return verdicts.every((v) => v.stopped) ? 0 : 1;
  } finally {
    unix.close();
    tcp.close();
    await Deno.remove(planted).catch(() => {});
    await Deno.remove(written).catch(() => {});
    await Deno.remove(hostDir, { recursive: true }).catch(() => {});
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  }
}

Deno.exit(await main());

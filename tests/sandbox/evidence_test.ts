/**
 * The sandbox suite's judgement, on evidence as the suite gathers it: each kind of check says
 * stopped for an honest record and SUCCEEDED for a tampered one.
 */
import { deepEqual, equal } from "node:assert/strict";
import {
  type Attempt,
  ATTEMPTS,
  type Baseline,
  failure,
  type HostEvidence,
  judge,
  line,
  markers,
  type RunEvidence,
  summary,
} from "./evidence.ts";

const BASELINE: Baseline = { auc: 0.8123, rows: 2000, modelClass: "XGBClassifier" };
const QUIET: HostEvidence = { unixBytes: 0, tcpConnections: 0, shmLeft: false, live: [] };
const HONEST: RunEvidence = {
  code: 0,
  status: "FINISHED",
  metrics: { roc_auc: 0.8123 },
  params: { "dataset.rows": "2000" },
  output: "run-id\n",
  model: { className: "XGBClassifier", distinct: 200, rows: 200 },
};

function attempt(name: string): Attempt {
  return ATTEMPTS.find((a) => a.name === name)!;
}

function verdict(name: string, run: Partial<RunEvidence> = {}, host: Partial<HostEvidence> = {}) {
  const evidence = { ...HONEST, ...run };
  return judge(attempt(name), evidence, { ...QUIET, ...host }, BASELINE, "M ", "s3cret");
}

Deno.test("ATTEMPTS: the 18 attempts of issue 7, each name once", () => {
  equal(ATTEMPTS.length, 18);
  equal(new Set(ATTEMPTS.map((a) => a.name)).size, 18);
});

Deno.test("labels: roc_auc >= 0.99 succeeded, the honest one stopped, a failed run stopped", () => {
  deepEqual(verdict("labels from the frame"), { stopped: true, evidence: "roc_auc 0.8123 < 0.99" });
  deepEqual(verdict("labels from the frame", { metrics: { roc_auc: 1 } }), {
    stopped: false,
    evidence: "roc_auc 1.0000 >= 0.99",
  });
  deepEqual(
    verdict("labels from gc.get_objects()", {
      code: 1,
      status: "FAILED",
      output: "M labels: none found\nmlp run: the trainer failed: ValueError('x')\n",
    }),
    {
      stopped: true,
      evidence:
        "run FAILED (mlp exit 1: mlp run: the trainer failed: ValueError('x')) (attack: labels: none found)",
    },
  );
  deepEqual(verdict("labels from the dataset file", { code: 1, status: undefined, output: "" }), {
    stopped: true,
    evidence: "run not recorded (mlp exit 1)",
  });
});

Deno.test("labels: the attack's own report is part of the evidence", () => {
  deepEqual(
    verdict("labels from the frame", { output: "M labels: none found in 3 files\nrun-id\n" }),
    {
      stopped: true,
      evidence: "roc_auc 0.8123 < 0.99 (attack: labels: none found in 3 files)",
    },
  );
});

Deno.test("a failed run's evidence names the error artifact's last line when there is one", () => {
  deepEqual(
    verdict("labels from the frame", {
      code: 1,
      status: "FAILED",
      output: "hint: see\n",
      error: "KeyError: 'x'",
    }),
    { stopped: true, evidence: "run FAILED (mlp exit 1: KeyError: 'x')" },
  );
});

Deno.test("failure: the last line of the output that is no marker", () => {
  equal(failure("M x: y\nerror: z\nM w: v\n\n", "M "), "error: z");
  equal(failure("", "M "), "");
});

Deno.test("scores: a roc_auc off the honest run's succeeded", () => {
  deepEqual(verdict("rewrite scores at exit"), {
    stopped: true,
    evidence: "roc_auc 0.8123, honest run 0.8123",
  });
  deepEqual(verdict("rewrite scores at exit", { metrics: { roc_auc: 0.1877 } }), {
    stopped: false,
    evidence: "roc_auc 0.1877, honest run 0.8123",
  });
});

Deno.test("model: another class, constant scores or no model succeeded", () => {
  deepEqual(verdict("swap the model at exit"), {
    stopped: true,
    evidence: "model XGBClassifier, 200 distinct scores of 200 rows",
  });
  deepEqual(
    verdict("swap the model at exit", {
      model: { className: "DummyClassifier", distinct: 1, rows: 200 },
    }),
    {
      stopped: false,
      evidence: "model DummyClassifier, 1 distinct scores of 200 rows (expected XGBClassifier)",
    },
  );
  deepEqual(
    verdict("constant predict_proba patched into the estimator", {
      model: { className: "XGBClassifier", distinct: 1, rows: 200 },
    }),
    {
      stopped: false,
      evidence: "model XGBClassifier, 1 distinct scores of 200 rows (expected XGBClassifier)",
    },
  );
  deepEqual(verdict("swap the model at exit", { model: undefined }), {
    stopped: false,
    evidence: "the logged model did not load",
  });
});

Deno.test("several checks: stopped only if every one is, the failing evidence shown", () => {
  deepEqual(verdict("setsid child rewrites files 3 s later"), {
    stopped: true,
    evidence:
      "roc_auc 0.8123, honest run 0.8123; model XGBClassifier, 200 distinct scores of 200 rows; " +
      "dataset.rows 2000, real 2000",
  });
  deepEqual(
    verdict("setsid child rewrites files 3 s later", { params: { "dataset.rows": "999999" } }),
    {
      stopped: false,
      evidence: "dataset.rows 999999, real 2000",
    },
  );
});

Deno.test("host evidence: listener bytes, connections, a /dev/shm file, a live child", () => {
  equal(verdict("host Unix listener").stopped, true);
  deepEqual(verdict("host Unix listener", {}, { unixBytes: 4 }), {
    stopped: false,
    evidence: "the host Unix listener received 4 bytes",
  });
  deepEqual(verdict("host TCP listener", {}, { tcpConnections: 1 }), {
    stopped: false,
    evidence: "the host TCP listener accepted 1 connections",
  });
  deepEqual(verdict("/dev/shm write outlives the run", {}, { shmLeft: true }), {
    stopped: false,
    evidence: "the file exists in the host's /dev/shm",
  });
  deepEqual(verdict("setsid child outlives the run", {}, { live: ["4242 mlp-attack-live"] }), {
    stopped: false,
    evidence: "alive 2 s after mlp exited: 4242 mlp-attack-live",
  });
  deepEqual(verdict("setsid child outlives the run"), {
    stopped: true,
    evidence: "no process of that name 2 s after mlp exited",
  });
});

Deno.test("markers: a success line succeeded, a denial is the evidence of a stop", () => {
  const output = "M postgres socket: connected to /x.sock\nother\nM postgres tcp denied: " +
    "ConnectionRefusedError(111)\n";
  deepEqual(markers(output, "M "), [
    "postgres socket: connected to /x.sock",
    "postgres tcp denied: ConnectionRefusedError(111)",
  ]);
  deepEqual(verdict("PostgreSQL Unix socket", { output }), {
    stopped: false,
    evidence: "postgres socket: connected to /x.sock",
  });
  deepEqual(verdict("TCP to 127.0.0.1:5432", { output }), {
    stopped: true,
    evidence: "postgres tcp denied: ConnectionRefusedError(111)",
  });
  deepEqual(verdict("MariaDB Unix socket", { output }), {
    stopped: true,
    evidence: 'no report of "mariadb socket" in the output',
  });
});

Deno.test("the planted secret: in the output succeeded, absent stopped", () => {
  deepEqual(
    verdict("/dev/shm read of a host file", { code: 1, status: "FAILED", output: "error s3cret" }),
    {
      stopped: false,
      evidence: "the planted secret reached mlp's output",
    },
  );
  deepEqual(
    verdict("/dev/shm read of a host file", {
      output: "M shm read denied: FileNotFoundError(2)\n",
    }),
    {
      stopped: true,
      evidence:
        "the planted secret is in no output (attack: shm read denied: FileNotFoundError(2))",
    },
  );
});

Deno.test("line and summary: the suite's output format", () => {
  equal(line("x", { stopped: true, evidence: "e" }), "stopped: x — e");
  equal(line("x", { stopped: false, evidence: "e" }), "SUCCEEDED: x — e");
  deepEqual(summary([{ stopped: true, evidence: "" }, { stopped: false, evidence: "" }]), [
    "sandbox: 1 of 2 attempts stopped",
    "1 passed, 1 failed",
  ]);
});

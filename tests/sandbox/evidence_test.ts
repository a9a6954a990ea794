import { deepEqual } from "node:assert/strict";
import { type Gathered, judge, line, summary } from "./evidence.ts";

const finished: Gathered = {
  code: 0,
  status: "FINISHED",
  metrics: { roc_auc: 0.76 },
  params: { "dataset.rows": "2000" },
  received: 0,
  fileLeft: false,
  markers: [],
};

Deno.test("judge: labels leaked only at roc_auc >= 0.99; a run not FINISHED is stopped", () => {
  deepEqual(judge("labels", finished, 0.76, 2000), {
    stopped: true,
    evidence: "roc_auc 0.7600 < 0.99",
  });
  deepEqual(judge("labels", { ...finished, metrics: { roc_auc: 1 } }, 0.76, 2000), {
    stopped: false,
    evidence: "roc_auc 1.0000 >= 0.99",
  });
  deepEqual(judge("labels", { ...finished, code: 1, status: "FAILED" }, 0.76, 2000), {
    stopped: true,
    evidence: "run FAILED (mlp exit 1)",
  });
});

Deno.test("judge: scores, rows, files, listeners and markers", () => {
  deepEqual(judge("scores", { ...finished, metrics: { roc_auc: 0.24 } }, 0.76, 2000), {
    stopped: false,
    evidence: "roc_auc 0.2400, honest 0.7600",
  });
  deepEqual(judge("rows", { ...finished, params: { "dataset.rows": "999999" } }, 0.76, 2000), {
    stopped: false,
    evidence: "dataset.rows 999999, real 2000",
  });
  deepEqual(judge("file", { ...finished, fileLeft: true }, 0.76, 2000).stopped, false);
  deepEqual(judge("listener", { ...finished, code: 1, received: 4 }, 0.76, 2000), {
    stopped: false,
    evidence: "the host listener received 4 bytes",
  });
  deepEqual(judge("marker", finished, 0.76, 2000), {
    stopped: true,
    evidence: "no success marker reached the run log",
  });
});

Deno.test("summary and line: the suite's output format", () => {
  const verdicts = [{ stopped: true, evidence: "a" }, { stopped: false, evidence: "b" }];
  deepEqual(summary(verdicts), ["sandbox: 1 of 2 attempts stopped", "1 passed, 1 failed"]);
  deepEqual(line("x", verdicts[1]), "SUCCEEDED: x — b");
});

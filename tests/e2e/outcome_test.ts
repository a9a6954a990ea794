/**
 * The outcome of every finished run (docs/outcome.md), by real runs in real projects, read back
 * with the official MLflow client and checked against scipy computed here: per-fold metrics and
 * out-of-fold predictions, the baseline rule (same protected fields and dataset, best in the
 * metric's direction, never other data), the paired t-test over the same folds, the paired
 * bootstrap of the temporal split, `first`, the line `mlp run` ends with, the seal over all of
 * it, and `mlp outcome`'s correction with its audit-log entry.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  createProject,
  exec,
  MLP_ROOT,
  type Output,
  type TestProject,
} from "../support/project.ts";

const RUN_ID = /^[0-9a-f]{32}$/;

function lines(text: string): string[] {
  return text.trim().split("\n");
}

/** Commits the work tree and runs `mlp run` at the new commit (so every run is clean). */
async function runAt(
  project: TestProject,
  message: string,
  flags: string[] = [],
): Promise<Output & { runId: string }> {
  await project.git(["commit", "--quiet", "--allow-empty", "-am", message]);
  const out = await project.mlp(["run", ...flags]);
  equal(out.code, 0, out.stderr);
  const last = lines(out.stdout).at(-1)!;
  const runId = flags.includes("--json") ? JSON.parse(last).runId : last;
  match(runId, RUN_ID);
  return { ...out, runId };
}

/** The history of each metric of `runId` (values in step order), by the official MLflow client. */
function histories(project: TestProject, runId: string): Promise<Record<string, number[]>> {
  return project.python<Record<string, number[]>>(`
import json
from mlflow.tracking import MlflowClient
client = MlflowClient("sqlite:///${project.root}/mlflow.db")
run = client.get_run("${runId}")
print(json.dumps({k: [m.value for m in sorted(client.get_metric_history("${runId}", k), key=lambda m: m.step)]
                  for k in run.data.metrics}))
`);
}

Deno.test("k-fold: first, then a hair's change on the same folds is neutral by a paired t-test, and other data is never the baseline", async (t) => {
  const project = await createProject({ rows: 2000 });
  const first = await runAt(project, "baseline");
  const firstRun = await project.readRun(first.runId);

  await t.step(
    "the first run has per-fold metrics, its OOF predictions, and outcome first",
    async () => {
      const history = await histories(project, first.runId);
      for (const metric of ["roc_auc", "f1", "precision", "recall", "log_loss"]) {
        equal(history[`fold.${metric}`].length, 5, metric);
      }
      ok(firstRun.artifacts.includes("mlp/oof_predictions.parquet"), firstRun.artifacts.join());
      equal(firstRun.tags["mlp.outcome"], "first");
      equal(firstRun.tags["mlp.outcome.method"], "none");
      equal(firstRun.tags["mlp.baseline.run_id"], undefined);
      equal(firstRun.metrics.metric_delta, undefined);
      equal(firstRun.params["outcome.note"], "no prior comparable run");
      equal(firstRun.params["reasoning.outcome"], undefined);
      equal(firstRun.params["reasoning.metric_delta"], undefined);
      const [line] = lines(first.stdout).slice(-2);
      equal(
        line,
        `roc_auc ${firstRun.metrics.roc_auc.toFixed(4)}  no comparable earlier run: first`,
      );
    },
  );

  // A hair: the same folds (same data, seed, n_splits), and one boosting round fewer: the first
  // 199 trees are the same trees, so the scores differ by the last tree's small step only.
  await project.edit("configs/experiment.yaml", /n_estimators: 200/, "n_estimators: 199");
  const second = await runAt(project, "one round fewer");
  const secondRun = await project.readRun(second.runId);

  await t.step(
    "metric_delta against the known prior run, by a paired t-test on its folds: neutral",
    async () => {
      equal(secondRun.tags["mlp.baseline.run_id"], first.runId);
      equal(secondRun.tags["mlp.outcome.method"], "paired_t_folds");
      equal(secondRun.tags["mlp.outcome"], "neutral");
      equal(secondRun.metrics.metric_delta, secondRun.metrics.roc_auc - firstRun.metrics.roc_auc);
      equal(secondRun.metrics["outcome.baseline_value"], firstRun.metrics.roc_auc);
      equal(secondRun.params["outcome.min_effect"], "0.002");
      equal(secondRun.params["outcome.confidence"], "0.95");
      equal(
        secondRun.params["outcome.note"],
        "the same 5 folds: paired t-test over the per-fold scores",
      );
      const scipy = await project.python<{ p: number; se: number }>(`
import json, math
import numpy
from scipy import stats
from mlflow.tracking import MlflowClient
client = MlflowClient("sqlite:///${project.root}/mlflow.db")
fold = lambda run: [m.value for m in sorted(client.get_metric_history(run, "fold.roc_auc"), key=lambda m: m.step)]
a, b = fold("${second.runId}"), fold("${first.runId}")
d = numpy.subtract(a, b)
se = float(d.std(ddof=1) / math.sqrt(len(d)))
print(json.dumps({"p": float(stats.ttest_rel(a, b).pvalue) if se > 0 else 1.0, "se": se}))
`);
      ok(Math.abs(secondRun.metrics["outcome.p_value"] - scipy.p) < 1e-12, JSON.stringify(scipy));
      ok(Math.abs(secondRun.metrics["outcome.std_error"] - scipy.se) < 1e-12);
      ok(Math.abs(secondRun.metrics.metric_delta) < 0.002, String(secondRun.metrics.metric_delta));
      const [line] = lines(second.stdout).slice(-2);
      const delta = secondRun.metrics.metric_delta;
      const shown = `${delta >= 0 ? "+" : ""}${delta.toFixed(4)}`;
      equal(
        line,
        `roc_auc ${secondRun.metrics.roc_auc.toFixed(4)}  ${shown} vs ${first.runId.slice(0, 8)} ` +
          `(±${scipy.se.toFixed(4)}, p=${
            scipy.p < 0.001 ? "<0.001" : String(Number(scipy.p.toPrecision(2)))
          }): neutral`,
      );
    },
  );

  await t.step("the outcome is sealed: verify-run accepts the run", async () => {
    const sealed = JSON.parse(
      await Deno.readTextFile(
        join(project.root, "mlartifacts", second.runId, "artifacts/mlp/seal.json"),
      ),
    );
    equal(sealed.tags["mlp.outcome"], "neutral");
    equal(sealed.tags["mlp.baseline.run_id"], first.runId);
    equal(sealed.metric_history["fold.roc_auc"].length, 5);
    ok("metric_delta" in sealed.metrics);
    ok("mlp/oof_predictions.parquet" in sealed.artifacts);
    const verify = await project.mlp(["verify-run", "--commit", "HEAD", "--run", second.runId]);
    equal(verify.code, 0, verify.stderr);
  });

  await t.step(
    "a run on other data is never compared, and the better run there is named",
    async () => {
      const table = join(project.root, "..", "other.parquet");
      const script = join(MLP_ROOT, "scripts/make_credit_data.py");
      const args = ["run", "--quiet", "--locked", "python", script, table, "--rows", "1500"];
      const made = await exec("uv", [...args, "--seed", "8"], project.root);
      equal(made.code, 0, made.stderr);
      const added = await project.mlp(["data", "add", table]);
      equal(added.code, 0, added.stderr);
      const hash = lines(added.stdout).at(-1)!;
      await project.edit(
        "configs/experiment.yaml",
        /^dataset_version:.*$/m,
        `dataset_version: ${hash}`,
      );
      await project.git(["add", "-A"]);
      const other = await runAt(project, "other data");
      const otherRun = await project.readRun(other.runId);
      equal(otherRun.tags["mlp.outcome"], "first");
      equal(otherRun.tags["mlp.baseline.run_id"], undefined);
      const best = firstRun.metrics.roc_auc >= secondRun.metrics.roc_auc
        ? { id: first.runId, run: firstRun }
        : { id: second.runId, run: secondRun };
      equal(
        otherRun.params["outcome.better_elsewhere"],
        `${best.id} ${best.run.metrics.roc_auc} ${project.datasetHash}`,
      );
      ok(
        other.stderr.includes(
          `mlp: run ${best.id.slice(0, 8)} has roc_auc ${
            best.run.metrics.roc_auc.toFixed(4)
          } on other data (dataset ${project.datasetHash.slice(0, 12)}): runs on other data are ` +
            "never compared\n",
        ),
        other.stderr,
      );
    },
  );

  await t.step(
    "mlp outcome corrects the outcome, keeps the computed one and logs who and why",
    async () => {
      const reason = "validator: the gain holds on the hold-out sample";
      const env = { MLP_OPERATOR: "ana@bank.test" };
      const out = await project.mlp(["outcome", second.runId, "confirmed", "--reason", reason], {
        env,
      });
      equal(out.code, 0, out.stderr);
      equal(out.stdout, `${second.runId}: outcome confirmed (computed: neutral)\n`);
      const run = await project.readRun(second.runId);
      equal(run.tags["mlp.outcome"], "neutral");
      equal(run.tags["mlp.outcome.corrected"], "confirmed");
      equal(run.tags["mlp.outcome.corrected_by"], "ana@bank.test");
      equal(run.tags["mlp.outcome.corrected_reason"], reason);
      const log = lines(
        await Deno.readTextFile(join(project.root, "logs/protected_overrides.log")),
      );
      const entry = JSON.parse(log.at(-1)!);
      const { ts, prev, ...rest } = entry;
      match(ts, /^\d{4}-\d\d-\d\dT/);
      match(prev, /^[0-9a-f]{64}$/);
      deepEqual(rest, {
        kind: "outcome_correction",
        field: "mlp.outcome",
        old: "neutral",
        new: "confirmed",
        operator: "ana@bank.test",
        config: "configs/experiment.yaml",
        reason,
        commit: secondRun.params.git_commit,
        run_id: second.runId,
      });
      const verified = await project.mlp(["log", "verify"]);
      equal(verified.code, 0, verified.stderr);
      const still = await project.mlp(["verify-run", "--commit", "HEAD~1", "--run", second.runId]);
      equal(still.code, 0, still.stderr);
    },
  );

  await t.step("mlp outcome refuses an unknown or unsealed run, no reason, an agent", async () => {
    const unknown = await project.mlp(["outcome", "f".repeat(32), "neutral", "--reason", "x"]);
    equal(unknown.code, 1);
    match(unknown.stderr, new RegExp(`error: Run ${"f".repeat(32)} is not in the store `));
    const noReason = await project.mlp(["outcome", second.runId, "neutral"]);
    equal(noReason.code, 2);
    match(noReason.stderr, /error: mlp outcome requires --reason/);
    const agent = await project.mlp(["outcome", second.runId, "negative", "--reason", "x"], {
      env: { CLAUDECODE: "1" },
    });
    equal(agent.code, 1);
    match(agent.stderr, /error: An AI agent cannot correct an outcome/);
    // A FINISHED run written with the MLflow client has no seal, so no outcome to correct.
    const forged = await project.python<string>(`
import json
from mlflow.tracking import MlflowClient
client = MlflowClient("sqlite:///${project.root}/mlflow.db")
experiment = client.get_experiment_by_name("acme_bank/credit_risk")
run = client.create_run(experiment.experiment_id, tags={"mlp.outcome": "confirmed"})
client.set_terminated(run.info.run_id, "FINISHED")
print(json.dumps(run.info.run_id))
`);
    const unsealed = await project.mlp(["outcome", forged, "neutral", "--reason", "x"]);
    equal(unsealed.code, 1);
    match(
      unsealed.stderr,
      new RegExp(`error: Run ${forged}'s outcome cannot be corrected: the run has no seal`),
    );
    const bad = await project.mlp(["outcome", second.runId, "great", "--reason", "x"]);
    equal(bad.code, 2);
    match(
      bad.stderr,
      /error: "great" is not an outcome: use one of "confirmed", "neutral", "negative"/,
    );
  });
});

Deno.test("temporal split, log_loss: the baseline is the lowest log_loss, compared by a paired bootstrap", async () => {
  const project = await createProject({
    rows: 2000,
    answers: { metric: "log_loss", split_strategy: "temporal_split" },
  });
  const a = await runAt(project, "baseline");
  await project.edit("configs/experiment.yaml", /n_estimators: 200/, "n_estimators: 20");
  const b = await runAt(project, "fewer trees");
  await project.edit("configs/experiment.yaml", /max_depth: 4/, "max_depth: 2");
  const c = await runAt(project, "shallower trees", ["--json"]);
  const [runA, runB, runC] = await Promise.all([a, b, c].map((r) => project.readRun(r.runId)));
  equal(runA.tags["mlp.outcome"], "first");
  equal((await histories(project, a.runId))["fold.log_loss"].length, 1);
  // Lower is better: the baseline of the third run is whichever of the two had the lower log_loss.
  const best = runA.metrics.log_loss <= runB.metrics.log_loss
    ? { id: a.runId, run: runA }
    : { id: b.runId, run: runB };
  equal(runC.tags["mlp.baseline.run_id"], best.id);
  equal(runC.tags["mlp.outcome.method"], "paired_bootstrap");
  equal(runC.metrics.metric_delta, best.run.metrics.log_loss - runC.metrics.log_loss);
  equal(runC.params["outcome.resamples"], "1000");
  match(
    runC.params["outcome.note"],
    /^temporal split: paired bootstrap over the 4\d\d rows both runs scored$/,
  );
  const p = runC.metrics["outcome.p_value"];
  ok(p > 0 && p <= 1, String(p));
  ok(runC.metrics["outcome.ci_low"] <= runC.metrics["outcome.ci_high"]);
  // The line before the run ID; with --json, no such line: the summary has the same fields.
  match(
    lines(b.stdout).at(-2)!,
    new RegExp(
      `^log_loss ${runB.metrics.log_loss.toFixed(4)}  [+-]\\d\\.\\d{4} vs ${
        a.runId.slice(0, 8)
      } \\(±\\d\\.\\d{4}, p[=<][0-9.]+\\): (confirmed|neutral|negative)$`,
    ),
  );
  equal(lines(c.stdout).length, 1);
  const summary = JSON.parse(c.stdout);
  deepEqual(summary.outcome, {
    outcome: runC.tags["mlp.outcome"],
    method: "paired_bootstrap",
    metric: "log_loss",
    value: runC.metrics.log_loss,
    baseline_run_id: best.id,
    delta: runC.metrics.metric_delta,
    std_error: runC.metrics["outcome.std_error"],
    p_value: runC.metrics["outcome.p_value"],
    ci_low: runC.metrics["outcome.ci_low"],
    ci_high: runC.metrics["outcome.ci_high"],
    note: runC.params["outcome.note"],
    better_elsewhere: null,
  });
});

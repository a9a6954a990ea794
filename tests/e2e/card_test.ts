/**
 * `mlp card` (docs/model-card.md) of a real run in a real project, after two real `mlp run`s: every
 * field of issue 9's item 3, each with the exact value read back here with the official MLflow
 * client (params, tags, metrics and their per-fold history, the data summary, the ROC plot and the
 * out-of-fold predictions it is read off), the chain back to the first run, the HTML card with its
 * plot inlined, a short run ID, and a broken seal shown at the top with exit 1.
 */
import { equal, match, ok } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { createProject, type Output, type TestProject } from "../support/project.ts";

const RUN_ID = /^[0-9a-f]{32}$/;

/** Commits the work tree and runs `mlp run` at the new commit (so every run is clean). */
async function runAt(project: TestProject, message: string): Promise<string> {
  await project.git(["commit", "--quiet", "--allow-empty", "-am", message]);
  const out = await project.mlp(["run"]);
  equal(out.code, 0, out.stderr);
  const runId = out.stdout.trim().split("\n").at(-1)!;
  match(runId, RUN_ID);
  return runId;
}

/** What the card must show of a run, read with the official MLflow client. */
interface StoredRun {
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, number>;
  folds: Record<string, number[]>;
  summary: {
    rows: number;
    columns: {
      name: string;
      kind: string;
      dtype: string;
      missing: number;
      missing_share: number;
      distinct: number;
    }[];
    target: {
      column: string;
      positive_class: number;
      positives: number;
      labelled_rows: number;
      positive_rate: number;
    };
  };
  roc_png: string;
  /** sklearn's roc_curve of the out-of-fold predictions: fpr, tpr, thresholds. */
  curve: [number[], number[], (number | null)[]];
}

function read(project: TestProject, runId: string): Promise<StoredRun> {
  return project.python<StoredRun>(`
import base64, json, math, tempfile
import pyarrow.parquet
from mlflow.tracking import MlflowClient
from sklearn.metrics import roc_curve
client = MlflowClient("sqlite:///${project.root}/mlflow.db")
run = client.get_run("${runId}")
folds = {}
for key in run.data.metrics:
    if key.startswith("fold."):
        by_step = {m.step: m.value for m in client.get_metric_history("${runId}", key)}
        folds[key[5:]] = [by_step[s] for s in sorted(by_step)]
scratch = tempfile.mkdtemp()
fetch = lambda path: client.download_artifacts("${runId}", path, scratch)
summary = json.load(open(fetch("mlp/data_summary.json")))
png = base64.b64encode(open(fetch("plots/roc_curve.png"), "rb").read()).decode()
oof = pyarrow.parquet.read_table(fetch("mlp/oof_predictions.parquet"))
fpr, tpr, thr = roc_curve(oof.column("label").to_numpy(), oof.column("score").to_numpy())
print(json.dumps({"params": run.data.params, "tags": run.data.tags, "metrics": run.data.metrics,
                  "folds": folds, "summary": summary, "roc_png": png,
                  "curve": [list(fpr), list(tpr), [None if math.isinf(t) else t for t in thr]]}))
`);
}

/** A metric as the card shows it. */
function six(value: number): string {
  return value.toFixed(6);
}

function spread(values: number[]): [number, number, number, number] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return [mean, Math.sqrt(variance), Math.min(...values), Math.max(...values)];
}

/** The card's ROC table, from sklearn's curve: the highest TPR at each FPR limit. */
function rocRows(curve: StoredRun["curve"]): string[] {
  const [fpr, tpr, thr] = curve;
  return [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1].map((limit) => {
    let best = -1;
    fpr.forEach((f, i) => {
      if (f > limit) return;
      if (best < 0 || tpr[i] > tpr[best] || (tpr[i] === tpr[best] && f < fpr[best])) best = i;
    });
    const t = thr[best];
    return `| ${limit.toFixed(2)} | ${six(fpr[best])} | ${six(tpr[best])} | ${
      t === null ? "inf" : six(t)
    } |`;
  });
}

function has(card: string, line: string): void {
  ok(card.split("\n").includes(line), `missing line:\n${line}\n--- card:\n${card}`);
}

Deno.test("mlp card: every field of the record, the chain back to the first run, the ROC curve, a broken seal", async (t) => {
  const project = await createProject({ rows: 2000 });
  const first = await runAt(project, "baseline");
  await project.edit("configs/experiment.yaml", /n_estimators: 200/, "n_estimators: 150");
  await project.edit(
    "configs/reasoning.yaml",
    /^change_description:.*$/m,
    'change_description: "Fewer trees: 150 rounds"',
  );
  await project.edit(
    "configs/reasoning.yaml",
    /^hypothesis_category:.*$/m,
    "hypothesis_category: hyperparameter_tuning",
  );
  const second = await runAt(project, "fewer trees");
  const run = await read(project, second);
  const base = await read(project, first);
  const out = await Deno.makeTempDir({ prefix: "mlp-card-" });

  await t.step(
    "the Markdown card of the second run, by its short ID, holds every field",
    async () => {
      const made = await project.mlp([
        "card",
        second.slice(0, 8),
        "--output",
        join(out, "card.md"),
      ]);
      equal(made.code, 0, made.stderr);
      equal(made.stdout, "");
      ok(
        made.stderr.endsWith(
          `mlp: wrote ${join(out, "card.md")}\nmlp: wrote ${join(out, "card.roc_curve.png")}\n`,
        ),
        made.stderr,
      );
      const card = await Deno.readTextFile(join(out, "card.md"));
      const { params, tags, metrics, summary } = run;
      equal(params.dataset_hash, project.datasetHash);
      has(card, `# Model card: acme_bank/credit_risk, run ${second.slice(0, 8)}`);
      has(card, `- Run: ${second} (${tags["mlflow.runName"]}), experiment acme_bank/credit_risk`);
      has(card, "- Seal: holds (the record is what `mlp run` sealed)");
      has(card, `- Commit: ${params.git_commit} (dirty tree: false)`);
      has(card, `- mlp build: ${params.mlp_build}`);
      // Purpose: not promoted, so what the run was made to test.
      has(card, "Not promoted: no intended use is recorded. What this run was made to test:");
      has(card, "- Change: Fewer trees: 150 rounds");
      has(card, "- Hypothesis category: hyperparameter_tuning");
      has(card, `- Expected effect: ${params["reasoning.expected_effect"]}`);
      // Data.
      has(card, `- Dataset hash: ${project.datasetHash}`);
      has(card, `- Schema hash: ${params.dataset_schema_hash}`);
      has(card, `- Rows: 2000; columns: ${params["dataset.columns"]}`);
      equal(summary.rows, 2000);
      const target = summary.target;
      has(
        card,
        `- Target rate: ${
          six(target.positive_rate)
        } (${target.positives} of ${target.labelled_rows} ` +
          `labelled rows are ${target.column} = ${target.positive_class})`,
      );
      for (const c of summary.columns) {
        const row = `| ${c.name} | ${c.kind} | ${c.dtype} | ${c.missing} | ${
          six(c.missing_share)
        } | ${c.distinct} |`;
        ok(card.split("\n").some((line) => line.startsWith(row)), row);
      }
      // Features, model and hyperparameters.
      has(card, `- Feature pipeline hash: ${params.feature_pipeline_hash}`);
      const settings = Object.keys(params).filter((k) => k.startsWith("features."));
      equal(settings.length, 9);
      for (const key of settings) has(card, `| ${key} | ${params[key]} |`);
      has(card, "- Model type: xgboost");
      has(card, `- Dependency lock hash (uv.lock): ${params.dependency_lock_hash}`);
      for (const key of Object.keys(params).filter((k) => k.startsWith("hyperparameters."))) {
        has(card, `| ${key.slice("hyperparameters.".length)} | ${params[key]} |`);
      }
      has(card, "| n_estimators | 150 |");
      // Every metric with its fold spread, the primary one first.
      const foldMetrics = Object.keys(run.folds);
      equal(foldMetrics.sort().join(), "f1,log_loss,precision,recall,roc_auc");
      for (const metric of foldMetrics) {
        equal(run.folds[metric].length, 5, metric);
        const [mean, std, min, max] = spread(run.folds[metric]);
        has(
          card,
          `| ${metric} | ${six(metrics[metric])} | ${six(mean)} | ${six(std)} | ${six(min)} | ${
            six(max)
          } | 5 |`,
        );
      }
      ok(card.indexOf("| roc_auc |") < card.indexOf("| f1 |"));
      has(card, `| training_time_s | ${six(metrics.training_time_s)} |  |  |  |  |  |`);
      has(card, `| inference_latency_ms | ${six(metrics.inference_latency_ms)} |  |  |  |  |  |`);
      // The ROC curve: the run's plot beside the card, and the curve's points.
      has(card, `![ROC curve of run ${second.slice(0, 8)}](card.roc_curve.png)`);
      equal(
        Buffer.from(await Deno.readFile(join(out, "card.roc_curve.png"))).toString("base64"),
        run.roc_png,
      );
      for (const row of rocRows(run.curve)) has(card, row);
      // The chain back to the first run.
      equal(tags["mlp.baseline.run_id"], first);
      has(
        card,
        `| 1 | ${first.slice(0, 8)} | ${base.params["reasoning.change_description"]} | ` +
          `${base.params["reasoning.hypothesis_category"]} | ${
            six(base.metrics.roc_auc)
          } |  | first | holds |`,
      );
      const delta = metrics.metric_delta;
      has(
        card,
        `| 2 | ${second.slice(0, 8)} | Fewer trees: 150 rounds | hyperparameter_tuning | ${
          six(metrics.roc_auc)
        } | ` +
          `${delta >= 0 ? "+" : "-"}${six(Math.abs(delta))} | ${tags["mlp.outcome"]} (${
            tags["mlp.outcome.method"]
          }) | holds |`,
      );
      // The risk checklist, the limitations, the approval.
      const missing = summary.columns.filter((c) => c.missing > 0).map((c) =>
        `${c.name} ${six(c.missing_share)}`
      );
      has(card, `| 1. Missing data | columns with missing values (share): ${missing.join(", ")} |`);
      has(card, "| 3. Temporal validation | split strategy stratified_kfold |");
      has(
        card,
        "| 5. Protected fields | protected.metric_definition = roc_auc, protected.positive_class = 1, " +
          "protected.split_strategy = stratified_kfold, protected.target_column = default; no escape hatch used |",
      );
      has(
        card,
        "- Not a temporal split (stratified_kfold): the score says nothing of performance on later data.",
      );
      has(card, `- Trained and scored on 2000 rows of dataset ${project.datasetHash}.`);
      has(card, "Not promoted: `mlp promote` has not approved this run.");
      has(card, "- Promoted (promoted): no");
      has(card, "- Approver (card.approver): not recorded");
      ok(!card.includes("WARNING"));
    },
  );

  await t.step(
    "the HTML card inlines the run's ROC plot; without --output the card goes to stdout",
    async () => {
      const made = await project.mlp([
        "card",
        second,
        "--format",
        "html",
        "--output",
        join(out, "card.html"),
      ]);
      equal(made.code, 0, made.stderr);
      const card = await Deno.readTextFile(join(out, "card.html"));
      ok(card.includes(`src="data:image/png;base64,${run.roc_png}"`));
      for (
        const name of [
          "Purpose",
          "Data",
          "Features",
          "Model and hyperparameters",
          "Evaluation",
          "ROC curve",
          "Chain of experiments",
          "Risk checklist",
          "Limitations",
          "Approval",
        ]
      ) {
        ok(card.includes(`<h2>${name}</h2>`), name);
      }
      ok(card.includes(`<li>Dataset hash: ${project.datasetHash}</li>`));
      const printed = await project.mlp(["card", second.slice(0, 10)]);
      equal(printed.code, 0, printed.stderr);
      has(
        printed.stdout,
        "ROC plot: the run's artifact plots/roc_curve.png (`mlp card --output FILE` writes it beside the card).",
      );
      has(printed.stdout, `- Dataset hash: ${project.datasetHash}`);
    },
  );

  await t.step("an unknown run ID or format is refused with the fix", async () => {
    const typo = `${second.slice(0, 7)}${second[7] === "0" ? "1" : "0"}`;
    const unknown: Output = await project.mlp(["card", typo]);
    equal(unknown.code, 1);
    ok(unknown.stderr.includes(`No run "${typo}" in the store`), unknown.stderr);
    ok(
      unknown.stderr.includes(`(did you mean "${second}"?)`) ||
        unknown.stderr.includes(`(did you mean "${first}"?)`),
      unknown.stderr,
    );
    const format = await project.mlp(["card", second, "--format", "pdf"]);
    equal(format.code, 2);
    ok(format.stderr.startsWith('error: --format "pdf" is not a card format'), format.stderr);
  });

  await t.step(
    "a tampered record is shown as such at the top, in the chain, and exits 1",
    async () => {
      await project.python(`
from mlflow.tracking import MlflowClient
MlflowClient("sqlite:///${project.root}/mlflow.db").set_tag("${first}", "use_case", "fraud")
print("null")
`);
      const chained = await project.mlp(["card", second, "--output", join(out, "second.md")]);
      equal(chained.code, 0, chained.stderr);
      const card2 = await Deno.readTextFile(join(out, "second.md"));
      ok(
        card2.split("\n").some((l) =>
          l.startsWith(`| 1 | ${first.slice(0, 8)} |`) && l.endsWith("| BROKEN |")
        ),
      );
      const made = await project.mlp(["card", first, "--output", join(out, "first.md")]);
      equal(made.code, 1);
      ok(
        made.stderr.includes(
          `error: Run ${first}'s seal does not hold: its record changed since it was sealed`,
        ),
        made.stderr,
      );
      const card = await Deno.readTextFile(join(out, "first.md"));
      const top = card.split("\n\n")[1];
      ok(top.startsWith("> **WARNING:** SEAL CHECK FAILED: "), top);
      ok(top.includes('tag use_case: sealed "credit_risk", store has "fraud"'), top);
      has(card, "- Seal: BROKEN");
    },
  );
});

import { deepEqual, equal } from "node:assert/strict";
import {
  approaches,
  categories,
  changes,
  history,
  QUESTION_FIELDS,
  runsToTarget,
} from "./questions.ts";
import { DELTA_METRIC, type QueryField, type QueryRun } from "./record.ts";
import { queryRun } from "./testing.ts";

const higher = () => "higher" as const;

Deno.test("changes: ranked by delta, ties by start, runs without a delta left out, top N", () => {
  const runs = [
    queryRun(0),
    queryRun(1, { delta: 0.01, outcome: "neutral" }),
    queryRun(2, { delta: 0.03, outcome: "confirmed", category: "regularization" }),
    queryRun(3, { delta: 0.01, outcome: "negative" }),
    queryRun(4, { delta: -0.02, outcome: "negative" }),
  ];
  const result = changes(runs, 3);
  deepEqual(result.rows.map((r) => [r.change, r.delta, r.outcome]), [
    ["change 2", 0.03, "confirmed"],
    ["change 1", 0.01, "neutral"],
    ["change 3", 0.01, "negative"],
  ]);
  equal(result.rows[0].date, Date.UTC(2026, 0, 1, 0, 2));
});

Deno.test("categories: judged counts, rate among judged runs, mean and median delta", () => {
  const runs = [
    queryRun(0, { category: "a" }),
    queryRun(1, { category: "a", delta: 0.02, outcome: "confirmed" }),
    queryRun(2, { category: "a", delta: 0.0, outcome: "neutral" }),
    queryRun(3, { category: "a", delta: 0.04, outcome: "confirmed" }),
    queryRun(4, { category: "b", delta: -0.01, outcome: "negative" }),
    queryRun(5, { category: null, delta: 0.01, outcome: "confirmed" }),
  ];
  deepEqual(categories(runs).rows, [
    {
      category: "(none)",
      runs: 1,
      confirmed: 1,
      neutral: 0,
      negative: 0,
      confirmation_rate: 1,
      mean_delta: 0.01,
      median_delta: 0.01,
    },
    {
      category: "a",
      runs: 4,
      confirmed: 2,
      neutral: 1,
      negative: 0,
      confirmation_rate: 2 / 3,
      mean_delta: 0.02,
      median_delta: 0.02,
    },
    {
      category: "b",
      runs: 1,
      confirmed: 0,
      neutral: 0,
      negative: 1,
      confirmation_rate: 0,
      mean_delta: -0.01,
      median_delta: -0.01,
    },
  ]);
});

Deno.test("approaches: best_in counts the projects whose best run used it", () => {
  const runs = [
    queryRun(0, { metrics: { roc_auc: 0.7 }, modelType: "xgboost" }),
    queryRun(1, {
      metrics: { roc_auc: 0.75 },
      modelType: "lightgbm",
      delta: 0.05,
      outcome: "confirmed",
    }),
    queryRun(2, {
      experiment: "beta/churn",
      client: "beta",
      metrics: { log_loss: 0.3 },
      primaryMetric: "log_loss",
      modelType: "xgboost",
    }),
    queryRun(3, {
      experiment: "beta/churn",
      client: "beta",
      metrics: { log_loss: 0.35 },
      primaryMetric: "log_loss",
      modelType: "lightgbm",
      delta: -0.05,
      outcome: "negative",
    }),
  ];
  const rows = approaches(runs, (m) => (m === "log_loss" ? "lower" : "higher")).rows;
  deepEqual(rows.filter((r) => r.dimension === "model_type"), [
    {
      use_case: "credit_risk",
      dimension: "model_type",
      value: "lightgbm",
      runs: 2,
      projects: 2,
      clients: 2,
      best_in: 1,
      confirmed: 1,
      confirmation_rate: 0.5,
      mean_delta: 0,
    },
    {
      use_case: "credit_risk",
      dimension: "model_type",
      value: "xgboost",
      runs: 2,
      projects: 2,
      clients: 2,
      best_in: 1,
      confirmed: 0,
      confirmation_rate: null,
      mean_delta: null,
    },
  ]);
});

Deno.test("runs-to-target: the first run to reach it, in start order; mean and median", () => {
  const project = (name: string, values: number[]) =>
    values.map((v, i) => queryRun(i * 10 + name.length, { experiment: name, metrics: { f1: v } }));
  const result = runsToTarget(
    [...project("a/x", [0.5, 0.61, 0.7]), ...project("b/yy", [0.6]), ...project("c/zzz", [0.1])],
    "f1",
    0.6,
    "higher",
  );
  deepEqual(result.rows.map((r) => [r.experiment, r.runs, r.runs_to_target, r.best]), [
    ["b/yy", 1, 1, 0.6],
    ["a/x", 3, 2, 0.7],
    ["c/zzz", 1, null, 0.1],
  ]);
  deepEqual(result.summary, {
    metric: "f1",
    target: 0.6,
    projects: 3,
    reached: 2,
    mean_runs_to_target: 1.5,
    median_runs_to_target: 1.5,
  });
});

Deno.test("history: best so far per project in its metric's direction, new bests marked", () => {
  const runs = [
    queryRun(2, { metrics: { log_loss: 0.5 }, primaryMetric: "log_loss" }),
    queryRun(0, { metrics: { log_loss: 0.6 }, primaryMetric: "log_loss" }),
    queryRun(1, { metrics: {}, primaryMetric: "log_loss" }),
    queryRun(3, { metrics: { log_loss: 0.55 }, primaryMetric: "log_loss" }),
  ];
  const rows = history(runs, (m) => (m === "log_loss" ? "lower" : higher())).rows;
  deepEqual(rows.map((r) => [r.change, r.value, r.best_so_far, r.new_best]), [
    ["change 0", 0.6, 0.6, true],
    ["change 2", 0.5, 0.5, true],
    ["change 3", 0.55, 0.5, false],
  ]);
});

Deno.test("each question reads only the fields QUESTION_FIELDS names for it", () => {
  const categories_ = ["feature_addition", "regularization", null];
  const runs = Array.from({ length: 60 }, (_, i) => {
    const lower = i % 3 === 2;
    const delta = i % 4 === 0 ? null : ((i * 7) % 11 - 5) / 100;
    return queryRun(i, {
      experiment: `client_${i % 2}/project_${i % 3}`,
      // Tags that differ from the experiment's name, so a question reading them shows it.
      client: `acme_${i % 2}`,
      project: `credit_${i % 3}`,
      category: categories_[i % 3],
      modelType: i % 5 === 0 ? null : ["xgboost", "lightgbm"][i % 2],
      useCase: ["credit_risk", "churn"][i % 2],
      primaryMetric: lower ? "log_loss" : "roc_auc",
      delta,
      outcome: ["confirmed", "neutral", "negative", "first"][i % 4],
      commit: `${i}`.padStart(40, "0"),
      metrics: {
        [lower ? "log_loss" : "roc_auc"]: 0.5 + ((i * 13) % 17) / 100,
        f1: ((i * 5) % 9) / 10,
        ...(delta === null ? {} : { [DELTA_METRIC]: delta }),
      },
    });
  });
  // A run as the loader reads it for `fields`: every other field empty, only those metrics.
  const only = (run: QueryRun, fields: readonly QueryField[], extra: string[]): QueryRun => {
    const has = (field: QueryField) => fields.includes(field);
    const [client, project] = run.experiment.split("/");
    const metrics: Record<string, number> = {};
    const keep = [...extra, ...(has("delta") ? [DELTA_METRIC] : [])];
    if (has("primaryMetric") && run.primaryMetric) keep.push(run.primaryMetric);
    for (const key of keep) if (key in run.metrics) metrics[key] = run.metrics[key];
    return {
      ...run,
      client: has("client") ? run.client : client,
      project: has("project") ? run.project : project,
      useCase: has("useCase") ? run.useCase : null,
      category: has("category") ? run.category : null,
      change: has("change") ? run.change : null,
      modelType: has("modelType") ? run.modelType : null,
      primaryMetric: has("primaryMetric") ? run.primaryMetric : null,
      delta: has("delta") ? run.delta : null,
      outcome: has("outcome") ? run.outcome : null,
      commit: has("commit") ? run.commit : null,
      metrics,
    };
  };
  const direction = (m: string) => (m === "log_loss" ? "lower" : higher());
  const asked = {
    changes: (r: QueryRun[]) => changes(r, 1000),
    categories: (r: QueryRun[]) => categories(r),
    approaches: (r: QueryRun[]) => approaches(r, direction),
    "runs-to-target": (r: QueryRun[]) => runsToTarget(r, "f1", 0.6, "higher"),
    history: (r: QueryRun[]) => history(r, direction),
  };
  for (const [name, answer] of Object.entries(asked)) {
    const fields = QUESTION_FIELDS[name as keyof typeof QUESTION_FIELDS];
    const extra = name === "runs-to-target" ? ["f1"] : [];
    const full = answer(runs);
    equal(full.rows.length > 0, true, name);
    deepEqual(answer(runs.map((run) => only(run, fields, extra))), full, name);
  }
});

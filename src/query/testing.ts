/**
 * Test support: a `QueryRun` with defaults, for the unit tests of the pure query logic.
 *
 * @module
 */
import type { QueryRun } from "./record.ts";

/** A FINISHED, sealed run of `acme/credit` started at minute `minute` of 2026-01-01. */
export function queryRun(minute: number, fields: Partial<QueryRun> = {}): QueryRun {
  return {
    runId: `run${String(minute).padStart(3, "0")}`.padEnd(32, "0"),
    experiment: "acme/credit",
    client: "acme",
    project: "credit",
    status: "FINISHED",
    lifecycleStage: "active",
    startTime: Date.UTC(2026, 0, 1, 0, minute),
    sealed: true,
    reproduction: false,
    category: "feature_addition",
    change: `change ${minute}`,
    modelType: "xgboost",
    useCase: "credit_risk",
    primaryMetric: "roc_auc",
    delta: null,
    outcome: "first",
    commit: "c".repeat(40),
    metrics: {},
    store: "/tmp/mlflow.db",
    ...fields,
  };
}

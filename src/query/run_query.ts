/**
 * One `mlp query`: load the stores' runs, keep those in scope and counted (`select.ts`) and read
 * the question's fields of those alone, verify their seals when asked, answer the question
 * (`questions.ts`). Touches the disk and network; the logic it calls is pure.
 *
 * @module
 */
import {
  eligible,
  filterFields,
  inScope,
  LEFT_OUT,
  type LeftOut,
  type RunFilter,
} from "./select.ts";
import { loadRuns, type StoreRef } from "./stores.ts";
import type { QueryField, QueryRun } from "./record.ts";
import type { QueryResult } from "./result.ts";

/** What `runQuery` needs. */
export interface QueryRequest {
  stores: readonly StoreRef[];
  env: Record<string, string | undefined>;
  filter: RunFilter;
  /** The fields of a run the question reads (`QUESTION_FIELDS`). */
  fields: readonly QueryField[];
  /** Metrics to load besides each run's primary metric and `metric_delta`. */
  extraMetrics?: readonly string[];
  /** Check every counted run's seal in full. */
  verify?: boolean;
  /** Answers the question from the counted runs. */
  answer: (runs: QueryRun[]) => QueryResult;
}

/** The answer, the number of runs counted, those left out by reason, and broken seals' reasons. */
export interface QueryOutcome {
  result: QueryResult;
  counted: number;
  leftOut: LeftOut;
  broken: { runId: string; why: string[] }[];
}

/** Runs one query (see the module comment). */
export async function runQuery(request: QueryRequest): Promise<QueryOutcome> {
  let leftOut: LeftOut = {};
  const runs = await loadRuns(request.stores, request.env, {
    scopeFields: filterFields(request.filter),
    keep: (all) => {
      const selected = eligible(inScope(all, request.filter));
      leftOut = selected.leftOut;
      return selected.runs;
    },
    fields: request.fields,
    extraMetrics: request.extraMetrics ?? [],
    sinceMs: request.filter.sinceMs,
  });
  let counted = runs;
  const broken: { runId: string; why: string[] }[] = [];
  if (request.verify) {
    // The seal check's modules (hashing, the REST reader) load only for --verify.
    const { verifyRuns } = await import("./verify.ts");
    const checked = await verifyRuns(runs, request.env);
    counted = checked.kept;
    for (const b of checked.broken) broken.push({ runId: b.run.runId, why: b.why });
    if (broken.length) leftOut[LEFT_OUT.broken] = broken.length;
  }
  return { result: request.answer(counted), counted: counted.length, leftOut, broken };
}

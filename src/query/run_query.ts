/**
 * One `mlp query`: load the stores' runs, keep those in scope and counted (`select.ts`), verify
 * their seals when asked, answer the question (`questions.ts`). Touches the disk and network;
 * the logic it calls is pure.
 *
 * @module
 */
import { eligible, inScope, LEFT_OUT, type LeftOut, type RunFilter } from "./select.ts";
import { loadRuns, type StoreRef } from "./stores.ts";
import { verifyRuns } from "./verify.ts";
import type { QueryRun } from "./record.ts";
import type { QueryResult } from "./result.ts";

/** What `runQuery` needs. */
export interface QueryRequest {
  stores: readonly StoreRef[];
  env: Record<string, string | undefined>;
  filter: RunFilter;
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
  const all = await loadRuns(
    request.stores,
    request.env,
    request.extraMetrics ?? [],
    request.filter.sinceMs,
  );
  const { runs, leftOut } = eligible(inScope(all, request.filter));
  let counted = runs;
  const broken: { runId: string; why: string[] }[] = [];
  if (request.verify) {
    const checked = await verifyRuns(runs, request.env);
    counted = checked.kept;
    for (const b of checked.broken) broken.push({ runId: b.run.runId, why: b.why });
    if (broken.length) leftOut[LEFT_OUT.broken] = broken.length;
  }
  return { result: request.answer(counted), counted: counted.length, leftOut, broken };
}

/**
 * Which runs a query counts, and why the others are left out. A query answers from records that
 * `mlp run` made and sealed: a run the MLflow client wrote by hand, a run that did not finish, or
 * one in the trash proves nothing, so it is left out and counted (docs/queries.md).
 *
 * @module
 */
import type { QueryField, QueryRun } from "./record.ts";
import { compareText } from "./stats.ts";

/** The filters every query takes. */
export interface RunFilter {
  /** Runs started at or after this time (ms since the epoch). */
  sinceMs?: number;
  /** Tag `client_name` equals one of these. */
  clients?: readonly string[];
  /** Tag `project_name` equals one of these. */
  projects?: readonly string[];
  /** Tag `use_case` equals this. */
  useCase?: string;
}

/** Why runs were left out, each reason with its count (reasons with none are not listed). */
export type LeftOut = Record<string, number>;

/** The reasons a run is left out, as `LeftOut` names them. */
export const LEFT_OUT = {
  deleted: "deleted (in the trash)",
  unfinished: "not FINISHED",
  unsealed: "no mlp.seal tag (not recorded by mlp run)",
  reproduction: "remade by mlp reproduce (a reproduction of another run)",
  broken: "seal broken (--verify: the record changed since it was sealed)",
} as const;

/** The fields of a run that `inScope` tests for `filter` (`--since` tests the start time). */
export function filterFields(filter: RunFilter): QueryField[] {
  const fields: QueryField[] = [];
  if (filter.clients?.length) fields.push("client");
  if (filter.projects?.length) fields.push("project");
  if (filter.useCase !== undefined) fields.push("useCase");
  return fields;
}

/** The runs in the filter's scope, whatever their state. */
export function inScope(runs: readonly QueryRun[], filter: RunFilter): QueryRun[] {
  return runs.filter((run) =>
    (filter.sinceMs === undefined ||
      (run.startTime !== null && run.startTime >= filter.sinceMs)) &&
    (!filter.clients?.length || filter.clients.includes(run.client)) &&
    (!filter.projects?.length || filter.projects.includes(run.project)) &&
    (filter.useCase === undefined || run.useCase === filter.useCase)
  );
}

/**
 * Splits `runs` into those a query counts (active, FINISHED, carrying an `mlp.seal` tag, not a
 * reproduction, which would count its original's experiment twice) and the count of the others
 * by reason. The seal tag's presence is the fast rule: it shows that the
 * supervisor recorded and sealed the run; whether the record was edited since is what `--verify`
 * checks (`checkSeal`), run by run.
 */
export function eligible(runs: readonly QueryRun[]): { runs: QueryRun[]; leftOut: LeftOut } {
  const kept: QueryRun[] = [];
  const leftOut: LeftOut = {};
  const leave = (reason: string) => leftOut[reason] = (leftOut[reason] ?? 0) + 1;
  for (const run of runs) {
    if (run.lifecycleStage !== "active") leave(LEFT_OUT.deleted);
    else if (run.status !== "FINISHED") leave(LEFT_OUT.unfinished);
    else if (!run.sealed) leave(LEFT_OUT.unsealed);
    else if (run.reproduction) leave(LEFT_OUT.reproduction);
    else kept.push(run);
  }
  // Always in LEFT_OUT's order, whichever order the store returned the runs in.
  const ordered: LeftOut = {};
  for (const reason of Object.values(LEFT_OUT)) {
    if (leftOut[reason]) ordered[reason] = leftOut[reason];
  }
  return { runs: kept, leftOut: ordered };
}

/** Orders runs by start time, then run ID: the order in which a project tried its changes. */
export function byStart(a: QueryRun, b: QueryRun): number {
  return (a.startTime ?? 0) - (b.startTime ?? 0) || compareText(a.runId, b.runId);
}

/** One line for stderr: how many runs were counted and which were left out, and why. */
export function describeLeftOut(counted: number, leftOut: LeftOut): string {
  const parts = Object.entries(leftOut).map(([reason, n]) => `${n} ${reason}`);
  return `mlp query: ${counted} run${counted === 1 ? "" : "s"} counted` +
    (parts.length ? `; left out: ${parts.join(", ")}` : "");
}

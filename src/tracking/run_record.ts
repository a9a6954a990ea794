/**
 * What mlp reads back about an MLflow run, whichever store holds it.
 *
 * @module
 */

/** One MLflow run: its info, params, tags and latest metrics. */
export interface RunRecord {
  runId: string;
  experimentId: string;
  /** RUNNING, SCHEDULED, FINISHED, FAILED or KILLED. */
  status: string;
  /** `active`, or `deleted` for a run in the trash. */
  lifecycleStage: string;
  /** Milliseconds since the epoch; `null` while the run has not ended. */
  startTime: number | null;
  endTime: number | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** The latest value of each metric. */
  metrics: Record<string, number>;
}

/** Reads runs from an MLflow tracking store. */
export interface RunReader {
  /** Where the runs are read from, for messages (a file path or a server URL). */
  readonly location: string;
  /** The run with this ID, or `null` if the store has none. */
  getRun(runId: string): Promise<RunRecord | null>;
  /** Every run whose `git_commit` param is `commit` (a full SHA), oldest first. */
  findRunsByCommit(commit: string): Promise<RunRecord[]>;
  /** Every active run whose status is RUNNING, oldest first. */
  findRunning(): Promise<RunRecord[]>;
  /** Releases the store (closes the database). */
  close(): void;
}

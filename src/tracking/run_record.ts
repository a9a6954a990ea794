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

/** One value of a metric's history. */
export interface MetricPoint {
  value: number;
  step: number;
  timestamp: number;
}

/** Reads runs from an MLflow tracking store. */
export interface RunReader {
  /** Where the runs are read from, for messages (a file path or a server URL). */
  readonly location: string;
  /** The run with this ID, or `null` if the store has none. */
  getRun(runId: string): Promise<RunRecord | null>;
  /** Every run whose `git_commit` param is `commit` (a full SHA), oldest first. */
  findRunsByCommit(commit: string): Promise<RunRecord[]>;
  /** The name of the experiment with this ID, or `null` if the store has none. */
  getExperimentName(experimentId: string): Promise<string | null>;
  /** Every run (deleted ones too) that has a param named `key`, oldest first. */
  findRunsWithParam(key: string): Promise<RunRecord[]>;
  /** Every active FINISHED run of the experiment named `experimentName`, oldest first. */
  findFinishedRuns(experimentName: string): Promise<RunRecord[]>;
  /** Every active run whose status is RUNNING, oldest first. */
  findRunning(): Promise<RunRecord[]>;
  /** Every value logged of each metric of the run, in any order. */
  getMetricHistory(runId: string): Promise<Record<string, MetricPoint[]>>;
  /**
   * Every artifact file of the run: its path relative to the run's artifact root (`/`-separated)
   * → the SHA-256 of its bytes.
   *
   * @throws {CheckError} when the artifacts cannot be read from here.
   */
  hashArtifacts(runId: string): Promise<Record<string, string>>;
  /** The bytes of one artifact of the run, or `null` when it has none at `path`. */
  readArtifact(runId: string, path: string): Promise<Uint8Array | null>;
  /** Releases the store (closes the database). */
  close(): void;
}

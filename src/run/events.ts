/**
 * The supervisor reports to mlp through JSON lines on its stdout (everything human goes to its
 * stderr). This module parses that channel; it touches nothing.
 *
 * @module
 */

/** Final status of an MLflow run as the supervisor ended it. */
export type RunStatus = "FINISHED" | "FAILED" | "KILLED";

/** The events the supervisor emits, in the order it emits them. */
export type SupervisorEvent =
  | { event: "refused"; reason: string; message: string; hint?: string }
  | { event: "run_created"; run_id: string; experiment_id: string }
  /** The store refused the run's end (a full or read-only disk): the run stays RUNNING. */
  | { event: "unended"; run_id: string; message: string; hint: string }
  | {
    event: "finished";
    status: RunStatus;
    run_id: string;
    /** Metric name → value; `null` for a metric that is undefined (NaN in MLflow). */
    metrics?: Record<string, number | null>;
    error?: string | null;
  };

/**
 * Parses one line of the supervisor's event channel.
 *
 * @returns the event, or `undefined` for a blank line
 * @throws {SyntaxError} when the line is not a known event: the supervisor and mlp disagree,
 * which is a bug in mlp
 */
export function parseEvent(line: string): SupervisorEvent | undefined {
  if (line.trim() === "") return undefined;
  const value = JSON.parse(line) as Record<string, unknown>;
  switch (value.event) {
    case "refused":
      if (typeof value.reason === "string" && typeof value.message === "string") {
        return value as SupervisorEvent;
      }
      break;
    case "unended":
      if (
        typeof value.run_id === "string" && typeof value.message === "string" &&
        typeof value.hint === "string"
      ) {
        return value as SupervisorEvent;
      }
      break;
    case "run_created":
      if (typeof value.run_id === "string" && typeof value.experiment_id === "string") {
        return value as SupervisorEvent;
      }
      break;
    case "finished":
      if (
        typeof value.run_id === "string" &&
        (value.status === "FINISHED" || value.status === "FAILED" || value.status === "KILLED")
      ) {
        return value as SupervisorEvent;
      }
      break;
  }
  throw new SyntaxError(`Cannot parse supervisor event: ${JSON.stringify(line)}`);
}

/**
 * Starts the Python supervisor in the project's locked environment and follows its event channel.
 *
 * The supervisor's stdin is mlp's message pipe: a signal that reaches mlp is passed on as a line
 * `interrupt <SIGNAL>` (uv, in between, would not forward a SIGINT sent to its own PID), and should
 * mlp be killed (`kill -9`, a crash), the pipe closes and the supervisor ends the run KILLED by
 * itself (src/python/mlp_platform/lifecycle.py).
 *
 * @module
 */
import { TextLineStream } from "./text_lines.ts";
import type { SupervisorEvent } from "../contract/events.ts";
import { parseEvent } from "./events.ts";
import type { RunInterrupts } from "./interrupts.ts";
import { spawnPlatformPython } from "./platform_python.ts";

/** What the supervisor reported, and how it exited. */
export interface SupervisorResult {
  events: SupervisorEvent[];
  /** uv's exit status, which is the supervisor's. */
  code: number;
  /** The signal that ended uv, if one did. */
  signal: Deno.Signal | null;
}

/** Options of {@linkcode runSupervisor}. */
export interface SupervisorOptions {
  root: string;
  /** The plan file, relative to the root. */
  planPath: string;
  platformDir: string;
  trackingUri: string;
  /** The environment uv runs it in (`UV_PROJECT_ENVIRONMENT`): the one mlp checked against uv.lock. */
  environment: string;
  interrupts: RunInterrupts;
  /** Called for each event as it arrives (e.g. to append the override log once the run exists). */
  onEvent?: (event: SupervisorEvent) => Promise<void> | void;
}

/**
 * Runs `uv run --locked python -m mlp_platform.supervisor PLAN --parent-pipe` in the project
 * root and returns once its event channel has closed and uv has exited.
 *
 * @throws {CheckError} when uv is not on PATH (nothing has been recorded then).
 */
export async function runSupervisor(options: SupervisorOptions): Promise<SupervisorResult> {
  const child = spawnPlatformPython({
    root: options.root,
    platformDir: options.platformDir,
    module: "supervisor",
    args: [options.planPath, "--parent-pipe"],
    env: { MLFLOW_TRACKING_URI: options.trackingUri, UV_PROJECT_ENVIRONMENT: options.environment },
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  });
  // Held open for the whole run: its end is how the supervisor learns that mlp is gone.
  const parentPipe = child.stdin.getWriter();
  const encoder = new TextEncoder();
  options.interrupts.forwardTo((signal) => {
    // The supervisor may be gone already; its exit status tells the rest.
    parentPipe.write(encoder.encode(`interrupt ${signal}\n`)).catch(() => {});
  });

  const events: SupervisorEvent[] = [];
  let failure: { error: unknown } | null = null;
  try {
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
      new TextLineStream(),
    );
    for await (const line of lines) {
      const event = parseEvent(line);
      if (!event) continue;
      events.push(event);
      if (failure) continue;
      try {
        await options.onEvent?.(event);
      } catch (error) {
        // mlp could not do its part (say, audit an override): stop the run, let the supervisor
        // record it KILLED, then report the cause.
        failure = { error };
        await parentPipe.close().catch(() => {});
      }
    }
    const status = await child.status;
    if (failure) throw failure.error;
    return { events, code: status.code, signal: status.signal };
  } finally {
    await parentPipe.close().catch(() => {});
  }
}

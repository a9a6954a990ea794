/**
 * Starts the Python supervisor in the project's locked environment and follows its event
 * channel. Signals that reach mlp (Ctrl-C, a CI runner's SIGTERM) are passed on, so the
 * supervisor can end the MLflow run KILLED instead of leaving it RUNNING.
 *
 * @module
 */
import { CheckError, INTERRUPT_SIGNALS } from "../errors.ts";
import { TextLineStream } from "./text_lines.ts";
import { parseEvent, type SupervisorEvent } from "./events.ts";

/** What the supervisor reported, and how it exited. */
export interface SupervisorResult {
  events: SupervisorEvent[];
  code: number;
  /** The signal mlp received and forwarded while the supervisor ran, if any. */
  interrupted: Deno.Signal | null;
}

/** Options of {@linkcode runSupervisor}. */
export interface SupervisorOptions {
  root: string;
  planPath: string;
  platformDir: string;
  /** Called for each event as it arrives (e.g. to append the override log once the run exists). */
  onEvent?: (event: SupervisorEvent) => Promise<void> | void;
}

/**
 * Runs `uv run --locked python -m mlp_platform.supervisor PLAN` in the project root. `--locked`
 * makes uv refuse a uv.lock that no longer matches pyproject.toml, so the environment that
 * trains is always the one whose hash is logged.
 *
 * @throws {CheckError} when uv is not on PATH (nothing has been recorded then).
 */
export async function runSupervisor(options: SupervisorOptions): Promise<SupervisorResult> {
  const env: Record<string, string> = { PYTHONPATH: options.platformDir, PYTHONUNBUFFERED: "1" };
  if (!Deno.env.get("UV_PYTHON_DOWNLOADS")) env.UV_PYTHON_DOWNLOADS = "never";
  const command = new Deno.Command("uv", {
    args: [
      "run",
      "--quiet",
      "--locked",
      "--project",
      options.root,
      "python",
      "-m",
      "mlp_platform.supervisor",
      options.planPath,
    ],
    cwd: options.root,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  });
  let child: Deno.ChildProcess;
  try {
    child = command.spawn();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new CheckError("Cannot start the run: `uv` is not on PATH", {
      hint: "install uv (https://docs.astral.sh/uv/) and run `uv sync` in the project; " +
        "nothing was recorded",
    });
  }

  let interrupted: Deno.Signal | null = null;
  const listeners = INTERRUPT_SIGNALS.map((signal) => {
    const listener = () => {
      interrupted ??= signal;
      try {
        child.kill(signal);
      } catch {
        // The child already exited; its exit status tells the rest.
      }
    };
    Deno.addSignalListener(signal, listener);
    return [signal, listener] as const;
  });

  const events: SupervisorEvent[] = [];
  try {
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
      new TextLineStream(),
    );
    for await (const line of lines) {
      const event = parseEvent(line);
      if (!event) continue;
      events.push(event);
      await options.onEvent?.(event);
    }
    const status = await child.status;
    return { events, code: status.code, interrupted };
  } finally {
    for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
  }
}

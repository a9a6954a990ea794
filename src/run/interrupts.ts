/**
 * The signals that stop `mlp run` (Ctrl-C, `kill`, a closed terminal), at any moment.
 *
 * Before the supervisor starts, nothing has been recorded, so a signal ends the command at once
 * with {@linkcode InterruptedError} (exit 130) through whichever step it interrupts. Once the
 * supervisor runs, every signal is passed on to it (see `supervisor.ts`), and the supervisor ends
 * the run KILLED.
 *
 * @module
 */
import { INTERRUPT_SIGNALS } from "../contract/lists.ts";
import { InterruptedError } from "../errors.ts";

/** Signal handling for one `mlp run`; {@linkcode dispose} it when the command ends. */
export class RunInterrupts {
  /** The first signal received, if any. */
  received: Deno.Signal | null = null;
  #forward: ((signal: Deno.Signal) => void) | null = null;
  #reject: ((error: InterruptedError) => void) | null = null;
  readonly #interrupted: Promise<never>;
  readonly #listeners: [Deno.Signal, () => void][];

  /** Takes over the interrupt signals of this process. */
  constructor() {
    this.#interrupted = new Promise<never>((_, reject) => this.#reject = reject);
    // Nobody may await #interrupted (no signal, or none during a guarded step): that is fine.
    this.#interrupted.catch(() => {});
    this.#listeners = INTERRUPT_SIGNALS.map((signal) => {
      const listener = () => this.#onSignal(signal);
      Deno.addSignalListener(signal, listener);
      return [signal, listener];
    });
  }

  #onSignal(signal: Deno.Signal): void {
    this.received ??= signal;
    if (this.#forward) {
      this.#forward(signal);
      return;
    }
    this.#reject?.(
      new InterruptedError(
        `Interrupted by ${signal} before the run started: nothing was recorded`,
        {
          hint: "run `mlp run` again when you are ready",
        },
      ),
    );
  }

  /**
   * Resolves as `step` does, or rejects with InterruptedError as soon as a signal arrives
   * (before {@linkcode forwardTo} is called).
   */
  guard<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.#interrupted]);
  }

  /** Throws InterruptedError if a signal arrived (before {@linkcode forwardTo} was called). */
  check(): void {
    if (this.received && !this.#forward) {
      throw new InterruptedError(
        `Interrupted by ${this.received} before the run started: nothing was recorded`,
        { hint: "run `mlp run` again when you are ready" },
      );
    }
  }

  /** From now on, every signal is passed to `forward` (the supervisor) instead. */
  forwardTo(forward: (signal: Deno.Signal) => void): void {
    this.#forward = forward;
    if (this.received) forward(this.received);
  }

  /** Gives the signals back. */
  dispose(): void {
    for (const [signal, listener] of this.#listeners) Deno.removeSignalListener(signal, listener);
  }
}

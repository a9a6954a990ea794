/**
 * A command started in the background whose stderr a test follows line by line, to act at a
 * precise moment of its progress (a kill right after "MLflow run … started") rather than after a
 * delay.
 *
 * @module
 */
import { TextLineStream } from "../../src/run/text_lines.ts";

/** A running command, its stderr lines so far, and how it ended. */
export class Spawned {
  readonly child: Deno.ChildProcess;
  readonly lines: string[] = [];
  /** The stream that is not followed, whole (stdout, unless stdout is followed). */
  readonly stdout: Promise<string>;
  #waiters: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void }[] = [];
  readonly #pumped: Promise<void>;

  /**
   * Starts `command`. `follow` names the stream whose lines are followed (stderr, or stdout for a
   * command that relays a terminal, see pty_run.py); the other is collected whole. With
   * `stdin: "piped"`, {@linkcode send} writes to the command's stdin.
   */
  constructor(
    command: string,
    args: string[],
    cwd: string,
    env: Record<string, string>,
    options: { follow?: "stderr" | "stdout"; stdin?: "null" | "piped" } = {},
  ) {
    this.child = new Deno.Command(command, {
      args,
      cwd,
      env,
      stdin: options.stdin ?? "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const followed = options.follow === "stdout" ? this.child.stdout : this.child.stderr;
    const other = options.follow === "stdout" ? this.child.stderr : this.child.stdout;
    this.stdout = new Response(other).text();
    this.#pumped = this.#pump(followed);
  }

  /** Writes `text` to the command's stdin (started with `stdin: "piped"`). */
  async send(text: string): Promise<void> {
    const writer = this.child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(text));
    writer.releaseLock();
  }

  async #pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    const lines = stream.pipeThrough(new TextDecoderStream()).pipeThrough(new TextLineStream());
    for await (const raw of lines) {
      const line = raw.replace(/\r$/, "");
      this.lines.push(line);
      this.#waiters = this.#waiters.filter((waiter) => {
        const match = line.match(waiter.pattern);
        if (match) waiter.resolve(match);
        return !match;
      });
    }
  }

  /** Resolves with the first stderr line (past or future) matching `pattern`. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    for (const line of this.lines) {
      const match = line.match(pattern);
      if (match) return Promise.resolve(match);
    }
    return new Promise((resolve, reject) => {
      this.#waiters.push({ pattern, resolve });
      this.#pumped.then(() =>
        reject(new Error(`exited without printing ${pattern}:\n${this.lines.join("\n")}`))
      );
    });
  }

  /** The exit status, once stderr is drained. */
  async status(): Promise<Deno.CommandStatus> {
    const [status] = await Promise.all([this.child.status, this.#pumped]);
    return status;
  }

  /** All followed lines so far, for assertion messages. */
  get stderr(): string {
    return this.lines.join("\n");
  }
}

/**
 * Printing for commands that must finish their work whoever still listens: once the terminal is
 * closed (EIO) or the reading end of a pipe is gone (EPIPE), a write throws, and an exception
 * there must not change what `mlp run` goes on to record. These drop the line instead. Both
 * redact credentials from any URL in the line (`redactUri`): a message that quotes the store's URI
 * never shows its password, whichever code path built it.
 *
 * @module
 */
import { redactUri } from "../tracking/redact.ts";

/** Prints `line` on stdout, or drops it when stdout is gone. */
export function printOut(line: string): void {
  try {
    console.log(redactUri(line));
  } catch {
    // stdout is gone; the record is what counts.
  }
}

/** Prints `line` on stderr, or drops it when stderr is gone. */
export function printErr(line: string): void {
  try {
    console.error(redactUri(line));
  } catch {
    // stderr is gone; the record is what counts.
  }
}

/**
 * Progress for long hashes, on stderr and only for a person at a terminal: a redirected stderr
 * (CI, agents, logs) gets no carriage-return noise, and small datasets hash too fast to need it.
 *
 * @module
 */

/** Datasets smaller than this hash in well under a second: no progress line. */
export const PROGRESS_THRESHOLD_BYTES = 256 * 1024 * 1024;

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/**
 * Formats a byte count for people: `512 B`, `1.5 KiB`, `2.0 GiB`.
 *
 * @example Usage
 * ```ts
 * import { formatBytes } from "./progress.ts";
 * formatBytes(1536); // => "1.5 KiB"
 * ```
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * Formats one progress line: `hashing 1.0 GiB / 2.0 GiB (50%)`.
 *
 * @example Usage
 * ```ts
 * import { formatProgress } from "./progress.ts";
 * formatProgress("hashing", 512, 1024); // => "hashing 512 B / 1.0 KiB (50%)"
 * ```
 */
export function formatProgress(label: string, done: number, total: number): string {
  const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
  return `${label} ${formatBytes(done)} / ${formatBytes(total)} (${percent}%)`;
}

/** A progress callback and the function that clears its line when the work is done. */
export interface TerminalProgress {
  /** Pass as `onProgress`: redraws at most every 100 ms. */
  update: (done: number, total: number) => void;
  /** Clears the progress line, if one was drawn. */
  finish: () => void;
}

/**
 * Returns a progress renderer that draws on stderr when stderr is a terminal and the total is at
 * least `PROGRESS_THRESHOLD_BYTES`, and does nothing otherwise.
 */
export function terminalProgress(label: string): TerminalProgress {
  const enabled = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  let drawn = false;
  let last = 0;
  return {
    update(done, total) {
      if (!enabled || total < PROGRESS_THRESHOLD_BYTES) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      drawn = true;
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${formatProgress(label, done, total)}`));
    },
    finish() {
      if (drawn) Deno.stderr.writeSync(encoder.encode("\r\x1b[2K"));
      drawn = false;
    },
  };
}

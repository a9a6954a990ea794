/**
 * Hashing many files with bounded parallelism.
 *
 * SHA-256 runs on the main thread (`createHash` is synchronous); what parallelism buys is
 * overlapping many files' reads with hashing. Measured on a 2-core VM, 10,000 files of 100 KB
 * (page cache warm): 1.90 s one at a time, 1.54 s with 4 in flight, 1.43 s with 8, 1.49 s with 16
 * (`openssl dgst` takes 1.38 s). Hashing in Web Workers was slower (1.6–3.0 s): the message
 * round trips cost more than the second core gains, and workers complicate `deno compile`.
 *
 * @module
 */
import { hashFile } from "./hash_file.ts";

/** A file to hash and its size in bytes (known from the directory walk). */
export interface FileToHash {
  path: string;
  size: number;
}

/** Options of `hashFiles`. */
export interface HashFilesOptions {
  /** Files hashed at once; default 8 (see the module doc for the measurements). */
  concurrency?: number;
  /** Called as bytes are hashed, with the running total and the total of all files. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /** Stops before the next file when aborted (a file already being hashed is finished). */
  signal?: AbortSignal;
}

/**
 * Returns the SHA-256 (lowercase hex) of each file, in the order given. Memory is bounded by
 * `concurrency` × two read chunks, whatever the files' sizes.
 *
 * @throws the first error reading a file, or the signal's reason once it is aborted; files not yet
 *   started are then not read.
 *
 * @example Usage
 * ```ts
 * import { hashFiles } from "./hash_files.ts";
 * await hashFiles([{ path: "a.csv", size: 10 }, { path: "b.csv", size: 20 }]);
 * // => ["5e88…", "9f86…"]
 * ```
 */
export async function hashFiles(
  files: readonly FileToHash[],
  options: HashFilesOptions = {},
): Promise<string[]> {
  const { concurrency = 8, onProgress, signal } = options;
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  const hashes = new Array<string>(files.length);
  let doneBytes = 0;
  let next = 0;
  let failed = false;
  const onBytes = onProgress && ((bytes: number) => {
    doneBytes += bytes;
    onProgress(doneBytes, totalBytes);
  });
  async function lane(): Promise<void> {
    while (!failed && next < files.length) {
      const index = next++;
      try {
        signal?.throwIfAborted();
        hashes[index] = await hashFile(files[index].path, files[index].size, onBytes);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  }
  const lanes = Math.max(1, Math.min(concurrency, files.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return hashes;
}

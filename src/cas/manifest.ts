/**
 * A dataset's manifest, `MANIFEST.sha256`: one `<sha256 hex>  <relative path>\n` line per file,
 * sorted by path bytewise, in exactly the format `sha256sum` writes and `sha256sum -c` reads. The
 * dataset's hash is the SHA-256 of these bytes, so the format is part of every dataset's identity
 * and is parsed strictly: any deviation is a dataset that was edited by hand.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { CheckError } from "../errors.ts";
import { compareBytewise } from "./bytewise.ts";

/** The manifest's file name inside a dataset directory. */
export const MANIFEST_NAME = "MANIFEST.sha256";

/** One file of a dataset: its path relative to the dataset directory and its SHA-256. */
export interface ManifestEntry {
  /** Relative path with forward slashes. */
  path: string;
  /** SHA-256 of the file's bytes, 64 lowercase hexadecimal characters. */
  sha256: string;
}

const LINE = /^([0-9a-f]{64}) {2}(.+)$/;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Returns why `path` cannot be a path inside a dataset ("is absolute", …), or `undefined` when
 * it can.
 *
 * Backslashes and control characters are refused because `sha256sum` escapes such names, so the
 * manifest would no longer be plain `<hex>  <path>` lines.
 */
export function invalidDatasetPath(path: string): string | undefined {
  if (path === "") return "is empty";
  if (path.startsWith("/")) return "is absolute";
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f\\]/.test(path)) return "contains a backslash or a control character";
  const segments = path.split("/");
  if (segments.includes("..")) return 'contains ".."';
  if (segments.some((s) => s === "" || s === ".")) return 'has an empty or "." segment';
  if (path === MANIFEST_NAME) return "is the manifest itself";
  return undefined;
}

/**
 * Renders a manifest: entries sorted by path bytewise, `<hex>  <path>\n` each.
 *
 * @throws {Error} on an entry that is not a valid dataset path or SHA-256, or a duplicate path:
 *   callers build entries from a directory walk, so either is a bug.
 *
 * @example Usage
 * ```ts
 * import { formatManifest } from "./manifest.ts";
 * formatManifest([{ path: "b.csv", sha256: "b".repeat(64) }, { path: "a.csv", sha256: "a".repeat(64) }]);
 * // => "aaaa…aaaa  a.csv\nbbbb…bbbb  b.csv\n"
 * ```
 */
export function formatManifest(entries: readonly ManifestEntry[]): string {
  const sorted = [...entries].sort((a, b) => compareBytewise(a.path, b.path));
  let text = "";
  for (const [i, entry] of sorted.entries()) {
    const problem = invalidDatasetPath(entry.path) ??
      (HEX64.test(entry.sha256) ? undefined : `has a malformed SHA-256 "${entry.sha256}"`) ??
      (i > 0 && sorted[i - 1].path === entry.path ? "is listed twice" : undefined);
    if (problem) throw new Error(`Cannot list "${entry.path}" in a manifest: it ${problem}`);
    text += `${entry.sha256}  ${entry.path}\n`;
  }
  return text;
}

/**
 * Parses a manifest strictly: every line `<64 lowercase hex>  <path>`, newline-terminated, paths
 * relative and inside the dataset, sorted bytewise, each once, and not the manifest itself.
 *
 * @param text The manifest's contents.
 * @param file The manifest's path as the user would type it, for messages.
 * @throws {CheckError} naming the line of the first problem.
 *
 * @example Usage
 * ```ts
 * import { parseManifest } from "./manifest.ts";
 * parseManifest(`${"a".repeat(64)}  train.csv\n`, "MANIFEST.sha256");
 * // => [{ path: "train.csv", sha256: "aaaa…aaaa" }]
 * ```
 */
export function parseManifest(text: string, file: string): ManifestEntry[] {
  const hint = "datasets are immutable and their manifest is written by `mlp data add`: " +
    "restore the original manifest, or add the files again as a new dataset";
  const fail = (line: number, message: string) => {
    throw new CheckError(message, { location: { file, line }, hint });
  };
  if (text !== "" && !text.endsWith("\n")) {
    fail(text.split("\n").length, "Manifest does not end with a newline");
  }
  const lines = text === "" ? [] : text.slice(0, -1).split("\n");
  const entries: ManifestEntry[] = [];
  for (const [i, line] of lines.entries()) {
    const lineNumber = i + 1;
    if (line.endsWith("\r")) {
      fail(lineNumber, "Manifest line ends with a carriage return (a Windows line ending)");
    }
    const match = LINE.exec(line);
    if (!match) {
      fail(
        lineNumber,
        `Manifest line is not "<64 lowercase hex SHA-256>  <relative path>": "${line}"`,
      );
    }
    const [, sha256, path] = match!;
    const problem = invalidDatasetPath(path);
    if (problem) fail(lineNumber, `Manifest lists "${path}", which ${problem}`);
    const previous = entries.at(-1);
    if (previous && previous.path === path) {
      fail(lineNumber, `Manifest lists "${path}" twice`);
    }
    if (previous && compareBytewise(previous.path, path) > 0) {
      fail(lineNumber, `Manifest is not sorted by path: "${path}" comes after "${previous.path}"`);
    }
    entries.push({ path, sha256 });
  }
  return entries;
}

/**
 * The dataset hash: SHA-256 of the manifest's bytes, as lowercase hex. Equal to what
 * `sha256sum MANIFEST.sha256` prints.
 */
export function datasetHash(manifestBytes: Uint8Array | string): string {
  return createHash("sha256").update(manifestBytes).digest("hex");
}

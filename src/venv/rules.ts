/**
 * The environment checked against the lock (docs/architecture.md "The environment"): the pure
 * rules. Every distribution installed in the project's virtual environment must be the version
 * `uv.lock` pins; every file its wheel's RECORD lists with a hash must have that hash; every other
 * file in site-packages must belong to a distribution (a file of its RECORD, or the bytecode cache
 * of a `.py` file of its RECORD). Reading the disk and the stat cache is `check.ts`'s job.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** One line of a wheel's RECORD. */
export interface RecordEntry {
  /** Relative to site-packages (may climb out of it: `../../../bin/mlflow`). */
  path: string;
  /** URL-safe base64 SHA-256 without padding, as RECORD writes it; null for RECORD itself or a `.pyc`. */
  sha256: string | null;
}

/** An installed distribution, from its `<name>-<version>.dist-info` directory. */
export interface Distribution {
  /** The dist-info directory's name, relative to site-packages. */
  distInfo: string;
  /** Normalized (PEP 503): lowercase, runs of `-`, `_`, `.` as one `-`. */
  name: string;
  version: string;
  record: RecordEntry[];
}

/** One reason the environment is refused. */
export interface VenvProblem {
  /** The lock's name of the distribution to reinstall; null for a file that belongs to none. */
  distribution: string | null;
  message: string;
}

/** PEP 503 normalization, as uv.lock writes names. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/**
 * Reads a `*.dist-info` directory name into the distribution's normalized name and version, or
 * null when the name is not of that form.
 */
export function parseDistInfoName(dir: string): { name: string; version: string } | null {
  const match = dir.match(/^(.+?)-([^-]+)\.dist-info$/);
  return match ? { name: normalizeName(match[1]), version: match[2] } : null;
}

/**
 * Reads a RECORD file (CSV: `path,sha256=<b64>,size`; a path holding a comma is quoted).
 *
 * @example Usage
 * ```ts
 * import { parseRecord } from "./rules.ts";
 * parseRecord("a.py,sha256=abc,3\na-1.dist-info/RECORD,,\n");
 * // => [{ path: "a.py", sha256: "abc" }, { path: "a-1.dist-info/RECORD", sha256: null }]
 * ```
 */
export function parseRecord(text: string): RecordEntry[] {
  const entries: RecordEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === "") continue;
    const fields = csvFields(line);
    const hash = fields[1] ?? "";
    entries.push({
      path: fields[0],
      sha256: hash.startsWith("sha256=") ? hash.slice("sha256=".length) : null,
    });
  }
  return entries;
}

function csvFields(line: string): string[] {
  const fields: string[] = [];
  let at = 0;
  while (at <= line.length) {
    if (line[at] === '"') {
      let value = "";
      at++;
      while (at < line.length) {
        if (line[at] === '"' && line[at + 1] === '"') {
          value += '"';
          at += 2;
        } else if (line[at] === '"') {
          at++;
          break;
        } else value += line[at++];
      }
      fields.push(value);
      at++; // the comma
    } else {
      const comma = line.indexOf(",", at);
      const end = comma === -1 ? line.length : comma;
      fields.push(line.slice(at, end));
      at = end + 1;
    }
  }
  return fields;
}

/**
 * Reads uv.lock's `[[package]]` blocks into normalized name → versions (a lock can pin two
 * versions of one name for different markers).
 */
export function lockVersions(uvLock: string): Map<string, Set<string>> {
  const versions = new Map<string, Set<string>>();
  for (const block of uvLock.split(/^\[\[package\]\]$/m).slice(1)) {
    const name = block.match(/^name = "([^"]+)"$/m)?.[1];
    const version = block.match(/^version = "([^"]+)"$/m)?.[1];
    if (name === undefined || version === undefined) continue;
    const key = normalizeName(name);
    versions.set(key, (versions.get(key) ?? new Set()).add(version));
  }
  return versions;
}

/**
 * The site-packages-relative `.py` source a bytecode cache is compiled from
 * (`pkg/__pycache__/mod.cpython-311.pyc` → `pkg/mod.py`), or null for any other path.
 */
export function cacheSource(path: string): string | null {
  const match = path.match(/^(?:(.*)\/)?__pycache__\/([^/.]+)\.[^/]+\.pyc$/);
  if (!match) return null;
  return match[1] === undefined ? `${match[2]}.py` : `${match[1]}/${match[2]}.py`;
}

/** What {@linkcode venvProblems} compares. */
export interface VenvState {
  distributions: Distribution[];
  /** uv.lock's pins ({@linkcode lockVersions}). */
  locked: Map<string, Set<string>>;
  /** Every file under site-packages, relative to it. */
  files: string[];
  /** The SHA-256 (URL-safe base64, no padding) of each RECORD path that exists; absent = missing. */
  hashes: Map<string, string>;
}

/**
 * Every reason the environment is not what uv installed from the lock; empty when it is. Files
 * RECORD lists without a hash (RECORD itself, a `.pyc`) and bytecode caches of a RECORD's `.py`
 * files are accepted unread: RECORD cannot hash itself, and uv compiles bytecode after it wrote
 * RECORD (docs/architecture.md says what that leaves open).
 */
export function venvProblems(state: VenvState): VenvProblem[] {
  const problems: VenvProblem[] = [];
  const claimed = new Set<string>();
  for (const dist of state.distributions) {
    const pinned = state.locked.get(dist.name);
    if (pinned === undefined) {
      problems.push({
        distribution: null,
        message:
          `${dist.name} ${dist.version} is installed but not in uv.lock ("${dist.distInfo}")`,
      });
    } else if (!pinned.has(dist.version)) {
      problems.push({
        distribution: dist.name,
        message: `${dist.name} ${dist.version} is installed but uv.lock pins ${
          [...pinned].join(", ")
        }`,
      });
    }
    for (const entry of dist.record) {
      const path = normalizeRecordPath(entry.path);
      claimed.add(path);
      if (entry.sha256 === null) continue;
      const actual = state.hashes.get(path);
      if (actual === undefined) {
        problems.push({
          distribution: dist.name,
          message: `${dist.name} ${dist.version}: "${path}" is missing`,
        });
      } else if (actual !== entry.sha256) {
        problems.push({
          distribution: dist.name,
          message: `${dist.name} ${dist.version}: "${path}" does not match its RECORD hash`,
        });
      }
    }
  }
  for (const file of state.files) {
    if (claimed.has(file)) continue;
    const source = cacheSource(file);
    if (source !== null && claimed.has(source)) continue;
    problems.push({
      distribution: null,
      message: file.endsWith(".pth")
        ? `"${file}" is a .pth file no installed package lists: Python runs it at every start`
        : `"${file}" belongs to no installed package`,
    });
  }
  return problems;
}

/** A RECORD path relative to site-packages with `./` and `dir/../` resolved. */
export function normalizeRecordPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && parts.length > 0 && parts.at(-1) !== "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}

/** How a file looked when it was hashed: what the stat cache compares. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** How long before the cache was written a change makes an entry untrustworthy (racy git). */
export const RACY_MS = 2000;

/**
 * SHA-256 hex over `path size mtime ctime ino` (or `path missing`) per file, in the given order: a
 * distribution's files as the stat cache remembers them, in a few bytes per distribution.
 */
export function stampsDigest(stamps: readonly [string, FileStamp | null][]): string {
  const digest = createHash("sha256");
  for (const [path, stamp] of stamps) {
    digest.update(
      stamp === null
        ? `${path}\0missing\n`
        : `${path}\0${stamp.size} ${stamp.mtimeMs} ${stamp.ctimeMs} ${stamp.ino}\n`,
    );
  }
  return digest.digest("hex");
}

/**
 * True when a distribution's cached verdict still stands: its files' stamps (size, mtime, ctime,
 * inode of each path) digest to the cached value, and none of them had changed within
 * {@linkcode RACY_MS} of the cache being written (a change in the same clock tick as the hashing
 * would leave its stamp unchanged; git's "racy" rule), so such a distribution is hashed again.
 */
export function cacheHolds(
  cached: { digest: string; newestMs: number },
  digest: string,
  writtenMs: number,
): boolean {
  return cached.digest === digest && cached.newestMs < writtenMs - RACY_MS;
}

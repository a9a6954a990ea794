/**
 * Checking the project's virtual environment against uv.lock before a run (the rules are
 * `rules.ts`'s): every installed file is hashed against its wheel's RECORD, through a stat cache in
 * `.mlp/venv-check.json` so that an unchanged environment costs one `lstat` per file.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { dirname, isAbsolute, join, relative } from "node:path";
import { CheckError } from "../errors.ts";
import {
  cacheHolds,
  type Distribution,
  type FileStamp,
  lockVersions,
  normalizeRecordPath,
  parseDistInfoName,
  parseRecord,
  stampsDigest,
  venvProblems,
} from "./rules.ts";

/** Where the stat cache lives, relative to the project root. */
export const CACHE_FILE = ".mlp/venv-check.json";
const CACHE_VERSION = 1;

/** What a check found. */
export interface VenvCheck {
  /** The environment, relative to the project root when it lies inside it. */
  env: string;
  /** Files compared with their RECORD hash. */
  files: number;
  /** Of those, how many were read and hashed (the stat cache vouched for the others). */
  hashed: number;
}

interface CacheFile {
  version: number;
  site: string;
  written_ms: number;
  /**
   * dist-info directory → the digest of its RECORD-hashed files' stamps (`stampsDigest`) when
   * every one of them matched its RECORD hash, and the newest change time among them.
   */
  dists: Record<string, { digest: string; newestMs: number }>;
}

/**
 * The project's environment: `UV_PROJECT_ENVIRONMENT` (relative to the project root) when set, as
 * uv reads it, else `.venv`.
 */
export function projectEnvironment(root: string, env: Record<string, string | undefined>): string {
  const chosen = env.UV_PROJECT_ENVIRONMENT;
  if (chosen === undefined || chosen === "") return join(root, ".venv");
  return isAbsolute(chosen) ? chosen : join(root, chosen);
}

/**
 * Checks the environment at `envDir` against `root`'s uv.lock; returns null when there is no
 * environment yet (uv creates it from the lock when the run starts).
 *
 * @throws {CheckError} naming each changed, missing or stray file and the distribution to
 *   reinstall, with the `uv sync` command that restores it.
 */
export async function checkEnvironment(root: string, envDir: string): Promise<VenvCheck | null> {
  const site = await sitePackages(envDir);
  if (site === null) return null;
  const shown = relative(root, envDir).startsWith("..") ? envDir : relative(root, envDir);
  const locked = lockVersions(await Deno.readTextFile(join(root, "uv.lock")));
  const tree = listFiles(site);
  const distributions: Distribution[] = [];
  for (const dir of tree.dirs) {
    const parsed = parseDistInfoName(dir);
    if (parsed === null) continue;
    let record = "";
    try {
      record = await Deno.readTextFile(join(site, dir, "RECORD"));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    distributions.push({ distInfo: dir, ...parsed, record: parseRecord(record) });
  }
  const cache = await readCache(root, site);
  const next: CacheFile = { version: CACHE_VERSION, site, written_ms: Date.now(), dists: {} };
  const hashes = new Map<string, string>();
  let files = 0;
  let hashed = 0;
  // One distribution at a time, its files hashed a few at a time: more reads in flight only
  // contend for the same cores.
  for (const dist of distributions) {
    const entries = dist.record.flatMap((entry) =>
      entry.sha256 === null ? [] : [{ path: normalizeRecordPath(entry.path), sha256: entry.sha256 }]
    );
    files += entries.length;
    const stamps = entries.map((entry) => stampOf(join(site, entry.path)));
    const digest = stampsDigest(entries.map((entry, i) => [entry.path, stamps[i]]));
    const newestMs = Math.max(0, ...stamps.map((s) => s ? Math.max(s.mtimeMs, s.ctimeMs) : 0));
    const old = cache?.dists[dist.distInfo];
    if (old !== undefined && cacheHolds(old, digest, cache!.written_ms)) {
      // Every file has the stamp it had when it was found to match its RECORD hash.
      for (const entry of entries) hashes.set(entry.path, entry.sha256);
      next.dists[dist.distInfo] = old;
      continue;
    }
    const actual = await pool(entries, async (entry, i) => {
      if (stamps[i] === null) return null;
      hashed++;
      return createHash("sha256").update(await Deno.readFile(join(site, entry.path))).digest(
        "base64url",
      );
    });
    entries.forEach((entry, i) => {
      if (actual[i] !== null) hashes.set(entry.path, actual[i]!);
    });
    if (entries.every((entry, i) => actual[i] === entry.sha256)) {
      next.dists[dist.distInfo] = { digest, newestMs };
    }
  }

  const problems = venvProblems({ distributions, locked, files: tree.files, hashes });
  if (problems.length > 0) {
    const reinstall = [...new Set(problems.flatMap((p) => p.distribution ?? []))];
    throw new CheckError(
      `The environment "${shown}" is not what uv installed from uv.lock`,
      {
        details: [
          ...problems.slice(0, 10).map((p) => p.message),
          ...(problems.length > 10 ? [`and ${problems.length - 10} more`] : []),
        ],
        hint: [
          ...(reinstall.length > 0
            ? [
              `reinstall from the lock: uv sync --locked ${
                reinstall.map((name) => `--reinstall-package ${name}`).join(" ")
              }`,
            ]
            : []),
          ...(problems.some((p) => p.distribution === null)
            ? [
              `remove the files no package lists, or rebuild the environment: rm -rf "${shown}" && uv sync --locked`,
            ]
            : []),
        ].join("; "),
      },
    );
  }
  // Nothing re-hashed: the cache on disk still says all there is to say.
  if (hashed > 0 || cache === null) await writeCache(root, next);
  return { env: shown, files, hashed };
}

/**
 * The stamp of one file, or null when it is missing. Synchronous on purpose: an `lstat` takes
 * microseconds, and Deno's asynchronous calls cost more than that in scheduling (an unchanged
 * environment is 15,000 of them).
 */
function stampOf(path: string): FileStamp | null {
  try {
    const info = Deno.statSync(path);
    return {
      size: info.size,
      mtimeMs: info.mtime?.getTime() ?? 0,
      ctimeMs: info.ctime?.getTime() ?? 0,
      ino: info.ino ?? 0,
    };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** `fn` over `items` with at most 8 calls in flight; results in order. */
async function pool<T, R>(items: T[], fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let at = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (at < items.length) {
      const i = at++;
      results[i] = await fn(items[i], i);
    }
  }));
  return results;
}

async function sitePackages(envDir: string): Promise<string | null> {
  try {
    for await (const entry of Deno.readDir(join(envDir, "lib"))) {
      if (entry.isDirectory && entry.name.startsWith("python")) {
        return join(envDir, "lib", entry.name, "site-packages");
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return null;
}

/** Every file (links included, not followed) under `site`, and its top-level directories. */
function listFiles(site: string): { files: string[]; dirs: string[] } {
  const files: string[] = [];
  const dirs: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(join(site, dir))) {
      const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory) {
        if (dir === "") dirs.push(path);
        walk(path);
      } else files.push(path);
    }
  };
  walk("");
  return { files, dirs };
}

async function readCache(root: string, site: string): Promise<CacheFile | null> {
  try {
    const cache = JSON.parse(await Deno.readTextFile(join(root, CACHE_FILE))) as CacheFile;
    return cache.version === CACHE_VERSION && cache.site === site ? cache : null;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof SyntaxError) return null;
    throw error;
  }
}

/**
 * Writes the cache whole under another name and renames it, so a cache read meanwhile is never
 * torn. Best effort: the cache only saves time, and a full or read-only `.mlp/` is reported by the
 * step of the run that needs it (the run directory), with its own path and fix.
 */
async function writeCache(root: string, cache: CacheFile): Promise<void> {
  const path = join(root, CACHE_FILE);
  const temp = `${path}.${Deno.pid}.tmp`;
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(temp, JSON.stringify(cache));
    await Deno.rename(temp, path);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) throw error;
    await Deno.remove(temp).catch(() => {});
  }
}

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
  /** Of those, how many were read and hashed (the others were vouched for by the stat cache). */
  hashed: number;
}

interface CacheFile {
  version: number;
  site: string;
  written_ms: number;
  /** Site-packages-relative path → [size, mtimeMs, ctimeMs, ino, sha256 (base64url)]. */
  files: Record<string, [number, number, number, number, string]>;
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
  const files = await listFiles(site);
  const distributions: Distribution[] = [];
  for (const dir of files.dirs) {
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
  const toHash = new Set<string>();
  for (const dist of distributions) {
    for (const entry of dist.record) {
      if (entry.sha256 !== null) toHash.add(normalizeRecordPath(entry.path));
    }
  }
  const cache = await readCache(root, site);
  const started = Date.now();
  const next: CacheFile = { version: CACHE_VERSION, site, written_ms: started, files: {} };
  const hashes = new Map<string, string>();
  let hashed = 0;
  const paths = [...toHash];
  const work = async (path: string) => {
    const full = join(site, path);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(full);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    const stamp: FileStamp = {
      size: info.size,
      mtimeMs: info.mtime?.getTime() ?? 0,
      ctimeMs: info.ctime?.getTime() ?? 0,
      ino: info.ino ?? 0,
    };
    const old = cache?.files[path];
    let hash: string;
    if (
      old !== undefined && cache !== null &&
      cacheHolds(
        { size: old[0], mtimeMs: old[1], ctimeMs: old[2], ino: old[3] },
        stamp,
        cache.written_ms,
      )
    ) {
      hash = old[4];
    } else {
      hash = createHash("sha256").update(await Deno.readFile(full)).digest("base64url");
      hashed++;
    }
    hashes.set(path, hash);
    next.files[path] = [stamp.size, stamp.mtimeMs, stamp.ctimeMs, stamp.ino, hash];
  };
  // A few reads in flight keep the disk busy; more only contend for the same cores.
  let at = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (at < paths.length) await work(paths[at++]);
  }));

  const problems = venvProblems({ distributions, locked, files: files.files, hashes });
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
  // Nothing re-hashed and nothing gone: the cache on disk still says all there is to say.
  if (hashed > 0 || cache === null || Object.keys(cache.files).length !== hashes.size) {
    await writeCache(root, next);
  }
  return { env: shown, files: hashes.size, hashed };
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
async function listFiles(site: string): Promise<{ files: string[]; dirs: string[] }> {
  const files: string[] = [];
  const dirs: string[] = [];
  const walk = async (dir: string) => {
    const pending: Promise<void>[] = [];
    for await (const entry of Deno.readDir(join(site, dir))) {
      const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory) {
        if (dir === "") dirs.push(path);
        pending.push(walk(path));
      } else files.push(path);
    }
    await Promise.all(pending);
  };
  await walk("");
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

async function writeCache(root: string, cache: CacheFile): Promise<void> {
  const path = join(root, CACHE_FILE);
  await Deno.mkdir(dirname(path), { recursive: true });
  // Written whole under another name and renamed: a cache read while it is written is never torn.
  const temp = `${path}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(temp, JSON.stringify(cache));
  await Deno.rename(temp, path);
}

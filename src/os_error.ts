/**
 * Errors the operating system raises on a path (a full or read-only file system, a permission it
 * refuses, a file where a directory belongs): the machine's state, not a bug in mlp. This module
 * recognises them and turns them into a refusal (exit 1) that names the path and the fix.
 *
 * Deno throws them as `Deno.errors.*` or as a plain `Error` (ENOSPC, EROFS), `node:fs` as an
 * `Error`; all carry the errno name in `code`. Deno puts the operation and its paths in the
 * message only (`writefile '/p/x'`, `copy '/a' -> '/b'`, or none: `tmpdir`, a write on an open
 * file); `node:fs` also sets `path` and `dest`.
 *
 * @module
 */
import { dirname } from "node:path";
import { CheckError } from "./errors.ts";

/** Errno names that describe the machine's state; any other code is left to the caller (a bug). */
const KNOWN_CODES = new Set([
  "ENOSPC",
  "EDQUOT",
  "EROFS",
  "EACCES",
  "EPERM",
  "EEXIST",
  "ENOENT",
  "EISDIR",
  "ENOTDIR",
  "ELOOP",
  "EBUSY",
]);

/** What the operating system refused. */
export interface OsErrorFacts {
  /** The errno name, e.g. `ENOSPC`. */
  code: string;
  /** The paths the operation named, as given (two for a copy or rename: source, destination). */
  paths: string[];
  /** The operating system's own words, as Deno or `node:fs` reported them. */
  message: string;
}

/** Who owns a path that a permission error concerns (the nearest one that exists). */
export interface Owner {
  /** The path as it exists: the one refused, or its nearest existing parent. */
  path: string;
  uid: number;
  /** `st_mode`, type bits included. */
  mode: number;
}

/** What the command was doing, for the hint. */
export interface OsErrorContext {
  /** The command to run again, e.g. `mlp data add`. */
  command: string;
  /** What the failed command left behind, when it knows (e.g. "nothing was stored"). */
  outcome?: string;
  /** The path to name when the operating system names none. */
  where?: string;
  /** How to show a path (e.g. a staging copy as the store it belongs to); default as it is. */
  show?: (path: string) => string;
}

/**
 * Recognises an operating-system error on a path and reads its errno name and paths.
 *
 * @returns the facts, or `undefined` for anything else (including Deno's own permission checks,
 *   `Deno.errors.NotCapable`, which mean mlp's permission list is wrong: a bug)
 */
export function osErrorFacts(error: unknown): OsErrorFacts | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path, dest } = error as Error & { code?: unknown; path?: unknown; dest?: unknown };
  if (typeof code !== "string" || !KNOWN_CODES.has(code)) return undefined;
  const named = [path, dest].filter((value): value is string => typeof value === "string");
  const quoted = [...error.message.matchAll(/'([^']*)'/g)].map((match) => match[1]);
  return { code, paths: named.length > 0 ? named : quoted, message: error.message };
}

/**
 * The refusal the user sees for an operating-system error: what happened where, the OS's own
 * words as a detail, and the fix, ending with the command to run again and what it left.
 *
 * @param owners who owns the paths concerned, for a permission error (from {@linkcode ownersOf})
 */
export function describeOsError(
  facts: OsErrorFacts,
  context: OsErrorContext,
  owners: readonly Owner[] = [],
): CheckError {
  const show = context.show ?? ((path: string) => path);
  const then = `then run \`${context.command}\` again` +
    (context.outcome ? `; ${context.outcome}` : "");
  const paths = concerned(facts, context).map(show);
  const target = paths.at(-1);
  const where = target === undefined
    ? "a file system mlp writes to"
    : `the file system holding "${target}"`;
  const refuse = (message: string, fix: string) =>
    new CheckError(message, { details: [facts.message], hint: `${fix}, ${then}` });
  switch (facts.code) {
    case "ENOSPC":
      return refuse(`${capitalize(where)} is full`, "free space there (or move the project)");
    case "EDQUOT":
      return refuse(
        `Your disk quota on ${where} is used up`,
        "free space there or ask for a larger quota",
      );
    case "EROFS":
      return refuse(
        `${capitalize(where)} is read-only`,
        "remount it read-write or move the project to a writable disk",
      );
    case "EACCES":
    case "EPERM": {
      const on = paths.length === 0 ? "" : ` on ${paths.map((p) => `"${p}"`).join(" or ")}`;
      const shown = owners.map((owner) => ({ ...owner, path: show(owner.path) }));
      return facts.code === "EACCES"
        ? refuse(`Permission denied${on}`, takeOver(shown))
        : refuse(`Operation not permitted${on}`, immutable(target, shown));
    }
    default:
      return new CheckError(facts.message, {
        hint: "the operating system refused a file operation on that path: fix it (a file where " +
          `a directory belongs, a missing directory) and run \`${context.command}\` again`,
      });
  }
}

/**
 * {@linkcode describeOsError} for any error: looks up the owners a permission error concerns.
 *
 * @returns the refusal, or `undefined` when `error` is not an operating-system error on a path
 */
export async function refusalForOsError(
  error: unknown,
  context: OsErrorContext,
): Promise<CheckError | undefined> {
  const facts = osErrorFacts(error);
  if (!facts) return undefined;
  const permission = facts.code === "EACCES" || facts.code === "EPERM";
  const owners = permission ? await ownersOf(concerned(facts, context)) : [];
  return describeOsError(facts, context, owners);
}

/** The owner and mode of each path, or of its nearest existing parent; unreadable ones left out. */
export async function ownersOf(paths: readonly string[]): Promise<Owner[]> {
  const owners: Owner[] = [];
  for (const start of paths) {
    for (let path = start;; path = dirname(path)) {
      const info = await Deno.lstat(path).catch(() => undefined);
      if (info?.uid != null && info.mode != null) {
        owners.push({ path, uid: info.uid, mode: info.mode });
        break;
      }
      if (dirname(path) === path) break;
    }
  }
  return owners;
}

/** The paths the error concerns: those it names, else the context's `where`. */
function concerned(facts: OsErrorFacts, context: OsErrorContext): string[] {
  if (facts.paths.length > 0) return facts.paths;
  return context.where === undefined ? [] : [context.where];
}

function describeOwners(owners: readonly Owner[]): string {
  return owners.map((o) => `"${o.path}" belongs to uid ${o.uid} (mode ${octal(o.mode)})`)
    .join(", ");
}

function takeOver(owners: readonly Owner[]): string {
  if (owners.length === 0) return "check the owner and mode of the path";
  const one = owners.length === 1;
  return `${describeOwners(owners)}: run mlp as ${one ? "that user" : "their owner"}, or take ` +
    `${one ? "it" : "them"} over (\`sudo chown -R "$(id -u)" ` +
    `${owners.map((o) => `"${o.path}"`).join(" ")}\`)`;
}

function immutable(target: string | undefined, owners: readonly Owner[]): string {
  const path = target ?? "the path";
  const owner = owners.at(-1);
  return `it may be immutable or append-only: \`lsattr -d "${path}"\` shows an "i" or "a" flag, ` +
    `\`sudo chattr -i -a "${path}"\` clears them; else check its owner` +
    (owner ? ` (uid ${owner.uid}, mode ${octal(owner.mode)})` : "");
}

function capitalize(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, "0")}`;
}

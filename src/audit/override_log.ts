/**
 * The protected-override log, `logs/protected_overrides.log`: one JSON line per overridden field
 * (or unsandboxed run), committed to git, append-only. Each line carries `prev`, the SHA-256 of
 * the previous line's exact bytes (without its newline; 64 zeros for the first line), so editing,
 * deleting or reordering an entry breaks the chain at the line after it. The last line has no
 * successor to vouch for it: the pre-commit hook covers it by requiring the committed log to be a
 * byte-for-byte prefix of the staged one.
 *
 * An approval (an override of a protected field, a promotion or its revocation) may carry
 * `approvers_at` and `sig`: the SSH signature, by the approver's key, of the entry's line without
 * `sig` ({@linkcode signedText}) — the very bytes the chain hashes, `prev` included, so a
 * signature cannot be moved to another place in the log (src/audit/approvals.ts).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import { CheckError, InputError } from "../errors.ts";
import { gitRun } from "../fingerprint/git.ts";
import { projectPaths } from "../project/paths.ts";

/** A JSON scalar, as protected field values are. */
export type LogValue = string | number | boolean | null;

/** The kinds of entry of the log. */
export const ENTRY_KINDS = [
  "protected_override",
  "unsandboxed",
  "outcome_correction",
  "promotion",
  "promotion_revoked",
] as const;
/** A kind of entry. */
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** One line of the override log. Keys are written in this order. */
export interface OverrideEntry {
  /** ISO 8601 time of the override. */
  ts: string;
  /**
   * `protected_override`: a protected field differed; `unsandboxed`: a run without the sandbox;
   * `outcome_correction`: a person corrected a run's computed outcome (`mlp outcome`);
   * `promotion`, `promotion_revoked`: a person made the run the champion of the registered model
   * `field`, or revoked that (`mlp promote`, `mlp promote --revoke`).
   */
  kind: EntryKind;
  /** The protected field (`protected.split_strategy`), or `sandbox`. */
  field: string;
  /** The reference value (from project_standards.yaml) and the value the run used. */
  old: LogValue;
  new: LogValue;
  /** Who: `MLP_OPERATOR`, else `git config user.email`. */
  operator: string;
  /** Project-relative path of the experiment config. */
  config: string;
  /** Why, as given with `--reason`. */
  reason: string;
  /** The git commit the run ran at, and the MLflow run ID. */
  commit: string;
  run_id: string | null;
  /** SHA-256 hex of the previous line's bytes, or 64 zeros for the first line. */
  prev: string;
  /**
   * A signed approval: the commit of the main branch whose configs/project_standards.yaml lists
   * the approver (`operator`) and their key. Absent on unsigned entries.
   */
  approvers_at?: string;
  /** A signed approval: the armored `ssh-keygen -Y sign` signature of {@linkcode signedText}. */
  sig?: string;
}

/** An entry to append: `prev` is the log's to set, `approvers_at` and `sig` the signer's. */
export type NewEntry = Omit<OverrideEntry, "prev" | "approvers_at" | "sig">;

/**
 * Given an entry chained into the log, returns the entry to write: signed (with `approvers_at`
 * and `sig`, the signature of its {@linkcode signedText}), or as it is when it needs no signature.
 */
export type EntrySigner = (entry: OverrideEntry) => Promise<OverrideEntry>;

/** A problem in the log, at a 1-based line. */
export interface LogProblem {
  line: number;
  message: string;
}

/** The `prev` of the first entry. */
export const GENESIS = "0".repeat(64);

/** Project-relative path of the log. */
export const OVERRIDE_LOG = "logs/protected_overrides.log";

const KEYS = [
  "ts",
  "kind",
  "field",
  "old",
  "new",
  "operator",
  "config",
  "reason",
  "commit",
  "run_id",
  "prev",
] as const;

/** Keys of signed approvals only, written after {@linkcode KEYS} when present. */
const SIGNATURE_KEYS = ["approvers_at", "sig"] as const;

/** SHA-256 hex of one line's bytes (without its newline): the next entry's `prev`. */
export function lineHash(line: string): string {
  return createHash("sha256").update(line).digest("hex");
}

/**
 * Parses and checks the whole log: every line is a JSON object with every field, and each
 * `prev` is the hash of the line before. For a broken link it says what most likely happened:
 * `prev` naming a line elsewhere in the file means entries were reordered (or inserted), naming
 * no line at all means the line before was edited or entries were deleted.
 *
 * @param text The log's contents (`""` for a log that does not exist yet).
 * @param file The log's path, for messages.
 *
 * @example Usage
 * ```ts
 * import { verifyOverrideLog } from "./override_log.ts";
 * verifyOverrideLog("", "logs/protected_overrides.log");
 * // => { entries: [], problems: [] }
 * ```
 */
export function verifyOverrideLog(
  text: string,
  file: string,
): { entries: OverrideEntry[]; problems: LogProblem[] } {
  const entries: OverrideEntry[] = [];
  const problems: LogProblem[] = [];
  if (text === "") return { entries, problems };
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  else {
    problems.push({
      line: lines.length,
      message: `${file} does not end with a newline: its last entry was truncated or edited`,
    });
  }
  const hashes = lines.map(lineHash);
  for (const [i, line] of lines.entries()) {
    const lineNumber = i + 1;
    const entry = parseEntry(line);
    if (typeof entry === "string") {
      problems.push({ line: lineNumber, message: `${entry}: the entry was edited or truncated` });
      continue;
    }
    entries.push(entry);
    const expected = i === 0 ? GENESIS : hashes[i - 1];
    if (entry.prev !== expected) {
      problems.push({ line: lineNumber, message: describeBrokenLink(entry.prev, i, hashes) });
    }
  }
  return { entries, problems };
}

/**
 * Checks a change of the log for the pre-commit hook: the new text must start with the old text
 * byte for byte (entries are only ever appended), and the whole new log must be chain-valid.
 *
 * @param oldText The committed log (`""` if there is none).
 * @param newText The staged log.
 */
export function checkLogOnlyGrows(oldText: string, newText: string, file: string): LogProblem[] {
  if (!newText.startsWith(oldText)) {
    const oldLines = oldText.split("\n");
    const newLines = newText.split("\n");
    let i = 0;
    while (i < oldLines.length && oldLines[i] === newLines[i]) i++;
    const changed = i < newLines.length && newLines[i] !== "";
    return [{
      line: i + 1,
      message: `line ${i + 1} of the committed ${file} was ${changed ? "changed" : "removed"}: ` +
        "the log is append-only",
    }];
  }
  return verifyOverrideLog(newText, file).problems;
}

/**
 * The entries a change of the log appends: the parseable lines of the new text after the old
 * text. A change that is not an append adds nothing ({@linkcode checkLogOnlyGrows} reports it).
 *
 * @param oldText The committed log (`""` if there is none).
 * @param newText The staged log.
 *
 * @example Usage
 * ```ts
 * import { appendedEntries } from "./override_log.ts";
 * appendedEntries("", "", "logs/protected_overrides.log"); // => []
 * ```
 */
export function appendedEntries(oldText: string, newText: string, file: string): OverrideEntry[] {
  if (!newText.startsWith(oldText) || (oldText !== "" && !oldText.endsWith("\n"))) return [];
  return verifyOverrideLog(newText.slice(oldText.length), file).entries;
}

/**
 * How many entries of the new log were already in the old one: the index of the first entry a
 * change of the log appends. A change that is not an append appends nothing, so the count is all
 * of the new log's entries ({@linkcode checkLogOnlyGrows} reports the change).
 *
 * @param oldText The committed log (`""` if there is none).
 * @param newText The staged log, or the work tree's.
 *
 * @example Usage
 * ```ts
 * import { appendedFrom } from "./override_log.ts";
 * appendedFrom("", "", "logs/protected_overrides.log"); // => 0
 * ```
 */
export function appendedFrom(oldText: string, newText: string, file: string): number {
  const isAppend = newText.startsWith(oldText) && (oldText === "" || oldText.endsWith("\n"));
  return verifyOverrideLog(isAppend ? oldText : newText, file).entries.length;
}

/**
 * Appends entries to the project's log, chaining each to the one before. Refuses to append to a
 * log whose chain is already broken (appending would make the damage look legitimate). Holds an
 * exclusive lock while it reads the last line and writes, so concurrent runs cannot fork the chain.
 * `sign` is given each entry once chained (a signature covers `prev`, which is only known under
 * the lock) and returns it signed or as it is; nothing is written unless every entry passed it.
 *
 * @throws {CheckError} when the existing log is broken, or from `sign`.
 */
export async function appendOverrideEntries(
  root: string,
  entries: NewEntry[],
  sign?: EntrySigner,
): Promise<void> {
  if (entries.length === 0) return;
  const path = projectPaths(root).overrideLog;
  await Deno.mkdir(dirname(path), { recursive: true });
  using file = await Deno.open(path, { read: true, append: true, create: true });
  await file.lock(true);
  const text = new TextDecoder().decode(await Deno.readFile(path));
  const { problems } = verifyOverrideLog(text, OVERRIDE_LOG);
  if (problems.length > 0) {
    throw new CheckError(`${OVERRIDE_LOG} is damaged; no override can be recorded`, {
      location: { file: OVERRIDE_LOG, line: problems[0].line },
      details: problems.map((p) => `${OVERRIDE_LOG}:${p.line}: ${p.message}`),
      hint: `restore the log from git (\`git checkout HEAD -- ${OVERRIDE_LOG}\`), ` +
        "then check it with `mlp log verify`",
    });
  }
  const lines = text.split("\n");
  let prev = text === "" ? GENESIS : lineHash(lines.at(-2)!);
  let out = "";
  for (const entry of entries) {
    const chained: OverrideEntry = { ...entry, prev };
    const line = formatEntry(sign ? await sign(chained) : chained);
    out += `${line}\n`;
    prev = lineHash(line);
  }
  await file.write(new TextEncoder().encode(out));
}

/**
 * Who is making the override: `MLP_OPERATOR` if set, else the repository's
 * `git config user.email`.
 *
 * @throws {InputError} when neither is set.
 */
export async function resolveOperator(
  root: string,
  env: Record<string, string | undefined>,
): Promise<string> {
  const fromEnv = env.MLP_OPERATOR?.trim();
  if (fromEnv) return fromEnv;
  let email = "";
  try {
    email = (await gitRun(root, ["config", "user.email"])).trim();
  } catch {
    // Unset: `git config` exits 1; the refusal below says how to fix it.
  }
  if (email) return email;
  throw new InputError("Cannot tell who the operator is: the audit log must name one", {
    hint: 'set your identity with `git config user.email "you@example.com"`, ' +
      "or set MLP_OPERATOR (e.g. MLP_OPERATOR=agent:claude-code)",
  });
}

/** Serializes an entry with its keys in the documented order (signature keys only when set). */
export function formatEntry(entry: OverrideEntry): string {
  const ordered: Record<string, unknown> = {};
  for (const key of KEYS) ordered[key] = entry[key];
  for (const key of SIGNATURE_KEYS) if (entry[key] !== undefined) ordered[key] = entry[key];
  return JSON.stringify(ordered);
}

/**
 * What an approval's signature signs: the entry's line as the log writes it, without `sig`. The
 * chain then hashes the line with `sig`, so the signature is covered by the next entry's `prev`.
 *
 * @example Usage
 * ```ts
 * import { signedText } from "./override_log.ts";
 * const entry = {
 *   ts: "2026-01-01T00:00:00.000Z", kind: "promotion" as const, field: "bank.credit", old: null,
 *   new: "champion", operator: "jane@bank.example", config: "configs/experiment.yaml",
 *   reason: "underwriting", commit: "c".repeat(40), run_id: "r".repeat(32), prev: "0".repeat(64),
 *   approvers_at: "a".repeat(40), sig: "-----BEGIN SSH SIGNATURE-----…",
 * };
 * signedText(entry).endsWith(`"approvers_at":"${"a".repeat(40)}"}`); // => true
 * ```
 */
export function signedText(entry: OverrideEntry): string {
  return formatEntry({ ...entry, sig: undefined });
}

/**
 * Parses one line of the log: the entry, or why the line is not one (every key of the format, of
 * the right type; the signature keys optional but strings).
 */
export function parseEntry(line: string): OverrideEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "not valid JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "not a JSON object";
  }
  const record = value as Record<string, unknown>;
  const missing = KEYS.filter((key) => !(key in record));
  if (missing.length > 0) return `missing ${missing.map((k) => `"${k}"`).join(", ")}`;
  for (const key of ["ts", "kind", "field", "operator", "config", "reason", "commit", "prev"]) {
    if (typeof record[key] !== "string") return `"${key}" is not a string`;
  }
  for (const key of SIGNATURE_KEYS) {
    if (key in record && typeof record[key] !== "string") return `"${key}" is not a string`;
  }
  if (!(ENTRY_KINDS as readonly unknown[]).includes(record.kind)) {
    return `"kind" is "${record.kind}", expected one of ${
      ENTRY_KINDS.map((k) => `"${k}"`).join(", ")
    }`;
  }
  return record as unknown as OverrideEntry;
}

function describeBrokenLink(prev: string, index: number, hashes: string[]): string {
  const lineNumber = index + 1;
  if (prev === GENESIS) {
    return `"prev" marks this as the first entry, but it is line ${lineNumber}: ` +
      "entries were reordered or inserted before it";
  }
  const match = hashes.indexOf(prev);
  if (match >= index) {
    return `"prev" is the hash of line ${match + 1}, which comes after it: entries were reordered`;
  }
  if (match >= 0) {
    const moved = match + 2 === index ? `line ${index} was` : `lines ${match + 2}-${index} were`;
    return `"prev" is the hash of line ${match + 1}, not line ${index}: ` +
      `${moved} moved or inserted here (reordered)`;
  }
  if (index === 0) {
    return `"prev" is not 64 zeros, so this is not the first entry: ` +
      "entries before it were deleted";
  }
  return `"prev" does not match line ${index}: line ${index} was edited, ` +
    `or entries between lines ${index} and ${lineNumber} were deleted`;
}

/**
 * Override-log entries anchored in the MLflow store. When a run that used an escape hatch
 * (`--override-protected`, `--unsandboxed`) finishes, the supervisor records the SHA-256 of each
 * log line naming it, one a line, as the run's artifact `mlp/override_entries.txt` just before it
 * seals the run; the seal (docs/seal.md) covers every artifact's hash, so the anchor is
 * write-once: rewriting it breaks the seal. (An artifact rather than a tag: the seal covers only
 * the tags of its fixed list, src/contract/lists.ts.) The log's hash
 * chain makes editing an entry in the middle visible; the anchor covers what the chain cannot:
 * the last entry, a line forged with a fitting `prev`, and an entry deleted together with all
 * after it.
 *
 * @module
 */
import { gitOutput, gitRun } from "../fingerprint/git.ts";
import { readRunSeals } from "../merge/notes.ts";
import type { RunReader, RunRecord } from "../tracking/run_record.ts";
import { checkSeal } from "../tracking/seal.ts";
import { type EntryKind, lineHash, type LogProblem } from "./override_log.ts";

/** The run artifact holding the SHA-256 of each of its log lines, one a line, in log order. */
export const OVERRIDE_ENTRIES_ARTIFACT = "mlp/override_entries.txt";

/** Entries written about a run after it was sealed, which its anchor therefore cannot hold. */
const AFTER_THE_SEAL: readonly EntryKind[] = [
  "outcome_correction",
  "promotion",
  "promotion_revoked",
];

/** One line of the log with what the anchor check needs. */
interface LogLine {
  line: number;
  hash: string;
  runId: string | null;
  kind: unknown;
}

/**
 * The hashes a run's anchor artifact names; `[]` when it has none.
 *
 * @throws {CheckError} when the run's artifacts cannot be read.
 */
export async function anchoredHashes(reader: RunReader, runId: string): Promise<string[]> {
  const bytes = await reader.readArtifact(runId, OVERRIDE_ENTRIES_ARTIFACT);
  if (bytes === null) return [];
  return new TextDecoder().decode(bytes).split("\n").filter((hash) => hash !== "");
}

/** The log's non-empty lines, each with its hash and the run and kind it names. */
function logLines(text: string): LogLine[] {
  return text.split("\n").flatMap((line, i) => {
    if (line === "") return [];
    let value: unknown = null;
    try {
      value = JSON.parse(line);
    } catch {
      // The chain check reports a line that is not JSON; here it names no run.
    }
    const record = typeof value === "object" && value !== null
      ? value as Record<string, unknown>
      : {};
    const runId = typeof record.run_id === "string" ? record.run_id : null;
    return [{ line: i + 1, hash: lineHash(line), runId, kind: record.kind }];
  });
}

/**
 * Entry → store: each entry's run exists in the store and, once FINISHED, is sealed with the
 * entry's hash in its anchor tag. A run that did not finish has no seal and proves nothing (the
 * merge gate refuses it), so its entries are only required to name a run that exists.
 *
 * @param file The log's path, for messages.
 */
export async function checkEntriesAnchored(
  root: string,
  text: string,
  file: string,
  reader: RunReader,
): Promise<LogProblem[]> {
  const problems: LogProblem[] = [];
  const runs = new Map<string, RunRecord | null>();
  for (const entry of logLines(text)) {
    if (entry.runId === null) {
      problems.push({ line: entry.line, message: "the entry names no run, so nothing anchors it" });
      continue;
    }
    if (!runs.has(entry.runId)) runs.set(entry.runId, await reader.getRun(entry.runId));
    const run = runs.get(entry.runId)!;
    if (run === null) {
      problems.push({
        line: entry.line,
        message: `run ${entry.runId} does not exist in ${reader.location}: ` +
          "the line was forged, or the store is not the one the run was recorded in",
      });
      continue;
    }
    if (run.status !== "FINISHED") continue;
    const seal = await checkSeal(reader, run, await notedSeal(root, run));
    for (const problem of seal) {
      problems.push({ line: entry.line, message: `run ${entry.runId}: ${problem}` });
    }
    // A correction or a promotion is made after the run was sealed: nothing in it can anchor it.
    if (AFTER_THE_SEAL.includes(entry.kind as EntryKind)) continue;
    if (!(await anchoredHashes(reader, run.runId)).includes(entry.hash)) {
      problems.push({
        line: entry.line,
        message: `run ${entry.runId} does not carry this entry's hash "${entry.hash}" in its ` +
          `${OVERRIDE_ENTRIES_ARTIFACT}: the entry was edited after the run` +
          ` (${file} keeps every version in git history)`,
      });
    }
  }
  return problems;
}

/**
 * Store → log: every run recorded at a commit of this repository (`git rev-list --all`) whose
 * record says it used an escape hatch has its entries in the log: an `unsandboxed` entry for a
 * run without the sandbox, and a line for each hash its anchor tag names.
 *
 * @returns One message per missing entry.
 */
export async function checkRunsLogged(
  root: string,
  text: string,
  file: string,
  reader: RunReader,
): Promise<string[]> {
  const lines = logLines(text);
  const commits = (await gitRun(root, ["rev-list", "--all"])).split("\n").filter((c) => c);
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const commit of commits) {
    for (const run of await reader.findRunsByCommit(commit)) {
      if (seen.has(run.runId)) continue;
      seen.add(run.runId);
      problems.push(...missingEntries(run, await anchoredHashes(reader, run.runId), lines, file));
    }
  }
  return problems;
}

/** What of `run`'s escape-hatch entries (`anchors`: its anchored hashes) the log lacks. */
function missingEntries(
  run: RunRecord,
  anchors: string[],
  lines: LogLine[],
  file: string,
): string[] {
  const problems: string[] = [];
  const hashes = new Set(lines.map((l) => l.hash));
  if (
    run.tags.sandbox === "none" &&
    !lines.some((l) => l.runId === run.runId && l.kind === "unsandboxed")
  ) {
    problems.push(
      `run ${run.runId} ran with --unsandboxed, but ${file} has no "unsandboxed" entry of it`,
    );
  }
  for (const hash of anchors) {
    if (!hashes.has(hash)) {
      problems.push(`run ${run.runId} anchors the entry "${hash}", which is not in ${file}`);
    }
  }
  return problems;
}

/**
 * The escape-hatch entries of `run` that the merged log lacks, for the merge gate: each entry
 * the run anchors must be in `mergedLog`, and a run without the sandbox must have anchored its
 * `unsandboxed` entry.
 *
 * @throws {CheckError} when the run's artifacts cannot be read.
 */
export async function missingFromMergedLog(
  reader: RunReader,
  run: RunRecord,
  mergedLog: string,
  file: string,
): Promise<string[]> {
  const anchors = await anchoredHashes(reader, run.runId);
  const problems = missingEntries(run, anchors, logLines(mergedLog), file);
  if (run.tags.sandbox === "none" && anchors.length === 0) {
    problems.push(
      `run ${run.runId} ran with --unsandboxed, but has no ${OVERRIDE_ENTRIES_ARTIFACT} ` +
        "anchoring its entry",
    );
  }
  return problems;
}

/**
 * A text file at a tree-ish (`""` for the index), or `""` when it is not there.
 */
export async function readAt(root: string, treeish: string, path: string): Promise<string> {
  const output = await gitOutput(root, ["cat-file", "blob", `${treeish}:./${path}`]);
  return output.code === 0 ? new TextDecoder().decode(output.stdout) : "";
}

/** The seal noted on the run's commit, when the commit is here and has one. */
export async function notedSeal(root: string, run: RunRecord): Promise<string | undefined> {
  const commit = run.params.git_commit;
  if (commit === undefined || !/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
  try {
    return (await readRunSeals(root, commit)).get(run.runId);
  } catch {
    // A commit this clone does not have: only the store's seal can be checked.
    return undefined;
  }
}

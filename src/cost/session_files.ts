/**
 * Where Claude Code keeps a session's transcript, and reading it: `<config>/projects/<project
 * dir>/<session>.jsonl`, its subagents' in `<project dir>/<session>/subagents/*.jsonl`, with
 * `<config>` = `CLAUDE_CONFIG_DIR`, else `~/.claude`. The project directory is the path Claude
 * Code was started in with every non-alphanumeric character replaced by `-` (long paths are
 * shortened with a hash), which mlp cannot always rebuild (Claude may have been started above
 * the project, or in a worktree): so every project directory is looked in for the session's file,
 * the session ID being unique.
 *
 * @module
 */
import { join } from "node:path";
import { parseTranscript, type TranscriptProblem, type UsageLine } from "./transcript.ts";

/** A session ID Claude Code writes: a UUID; anything else could point outside its folder. */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** A session's usage, read from its transcript and its subagents' transcripts. */
export interface SessionUsage {
  /** The files read, the main transcript first (paths, for messages only: never recorded). */
  files: string[];
  usages: UsageLine[];
  problems: TranscriptProblem[];
}

/** Claude Code's configuration directory in this environment, or `null` without HOME. */
export function claudeConfigDir(env: Record<string, string | undefined>): string | null {
  if (env.CLAUDE_CONFIG_DIR) return env.CLAUDE_CONFIG_DIR;
  return env.HOME ? join(env.HOME, ".claude") : null;
}

/**
 * Reads the session's transcripts.
 *
 * @returns the usage, or why there is none (a message for stderr): no such session, no HOME, a
 * file that cannot be read.
 */
export async function readSessionUsage(
  configDir: string,
  sessionId: string,
): Promise<SessionUsage | { unavailable: string }> {
  if (!SESSION_ID.test(sessionId)) {
    return { unavailable: `CLAUDE_CODE_SESSION_ID "${sessionId}" is not a session ID` };
  }
  const projects = join(configDir, "projects");
  let main: string | null = null;
  try {
    for await (const entry of Deno.readDir(projects)) {
      if (!entry.isDirectory) continue;
      const candidate = join(projects, entry.name, `${sessionId}.jsonl`);
      if (await isFile(candidate)) {
        main = candidate;
        break;
      }
    }
  } catch (error) {
    return { unavailable: `cannot read "${projects}": ${describe(error)}` };
  }
  if (main === null) {
    return { unavailable: `no transcript "${sessionId}.jsonl" in any folder of "${projects}"` };
  }
  const sessionDir = main.slice(0, -".jsonl".length);
  let files: string[];
  try {
    files = [main, ...await subagentFiles(sessionDir)];
  } catch (error) {
    return { unavailable: `cannot read "${join(sessionDir, "subagents")}": ${describe(error)}` };
  }
  const usage: SessionUsage = { files, usages: [], problems: [] };
  for (const file of files) {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (error) {
      return { unavailable: `cannot read "${file}": ${describe(error)}` };
    }
    const parsed = parseTranscript(text, file);
    usage.usages.push(...parsed.usages);
    usage.problems.push(...parsed.problems);
  }
  return usage;
}

/** The subagents' transcripts of the session whose folder is `sessionDir`, sorted by name. */
async function subagentFiles(sessionDir: string): Promise<string[]> {
  const dir = join(sessionDir, "subagents");
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith(".jsonl")) files.push(join(dir, entry.name));
    }
  } catch (error) {
    // No subagent ran in this session: no folder.
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return files.sort();
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

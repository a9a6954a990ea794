/**
 * Where the previous run of a Claude Code session stopped counting: `.mlp/agent_sessions/<session
 * ID>.json`, `{"session_id": …, "counted_until": "<ISO time>"}`, written once a run that counted
 * the session has been created in MLflow. The next run of the same session counts the messages
 * after that time. `.mlp/` is git-ignored and local, like the session itself.
 *
 * @module
 */
import { join } from "node:path";

/** The folder of the session state files, relative to the project root. */
export const SESSION_STATE_DIR = ".mlp/agent_sessions";

/** The state file of a session (the ID was checked by `readSessionUsage`). */
export function sessionStateFile(root: string, sessionId: string): string {
  return join(root, SESSION_STATE_DIR, `${sessionId}.json`);
}

/**
 * When the session's previous run stopped counting (ms since the epoch), `null` when no run of
 * it was recorded here, or why the file cannot be used (then the caller counts from the
 * session's start and says so).
 */
export async function readCountedUntil(
  root: string,
  sessionId: string,
): Promise<number | null | { problem: string }> {
  const file = sessionStateFile(root, sessionId);
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    return { problem: `cannot read "${file}": ${(error as Error).message}` };
  }
  try {
    const value = JSON.parse(text) as { counted_until?: unknown };
    const time = typeof value.counted_until === "string" ? Date.parse(value.counted_until) : NaN;
    if (!Number.isNaN(time)) return time;
  } catch {
    // Reported below.
  }
  return { problem: `"${file}" is not a session state file ({"counted_until": "<ISO time>"})` };
}

/** Records that the session's messages up to `until` are counted (atomically: write, rename). */
export async function writeCountedUntil(
  root: string,
  sessionId: string,
  until: number,
): Promise<void> {
  const file = sessionStateFile(root, sessionId);
  await Deno.mkdir(join(root, SESSION_STATE_DIR), { recursive: true });
  const body = JSON.stringify({
    session_id: sessionId,
    counted_until: new Date(until).toISOString(),
  });
  await Deno.writeTextFile(`${file}.tmp`, body + "\n");
  await Deno.rename(`${file}.tmp`, file);
}

/**
 * Claude Code's session transcript, as mlp reads it: one JSON object per line; the lines that
 * cost money are `type: "assistant"` with `message.id`, `message.model`, `message.usage` and a
 * `timestamp`. The format is internal to Claude Code (its docs say so), so this parser takes only
 * those fields, skips every other line, and reports a line it cannot read instead of failing.
 * Pure: the caller reads the files (src/cost/session_files.ts).
 *
 * @module
 */
import { z } from "zod";

/** The tokens of one API response, or of a sum of them. */
export interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** One assistant message's usage, as the transcript records it. */
export interface UsageLine {
  /** `message.id`: streamed parts of one response repeat it with the same usage. */
  id: string;
  model: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  tokens: Tokens;
}

/** A line mlp could not read: named by file and 1-based line number, then skipped. */
export interface TranscriptProblem {
  file: string;
  line: number;
  message: string;
}

const count = z.int().min(0);
const usageSchema = z.object({
  input_tokens: count,
  output_tokens: count,
  // Absent on responses that used no prompt cache.
  cache_read_input_tokens: count.nullish(),
  cache_creation_input_tokens: count.nullish(),
});
const assistantSchema = z.object({
  timestamp: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "not a date"),
  message: z.object({
    id: z.string().min(1),
    model: z.string().min(1),
    usage: usageSchema,
  }),
});

/**
 * The assistant messages' usage in one transcript file's text, and the lines that could not be
 * read (not JSON, or an assistant line without a readable id, model, usage or timestamp).
 *
 * @param text The file's contents.
 * @param file The name to report problems under.
 *
 * @example Usage
 * ```ts
 * import { parseTranscript } from "./transcript.ts";
 * const line = JSON.stringify({
 *   type: "assistant",
 *   timestamp: "2026-12-01T10:00:00.000Z",
 *   message: { id: "msg_1", model: "claude-opus-4-5", usage: { input_tokens: 3, output_tokens: 5 } },
 * });
 * parseTranscript(line + "\n", "s.jsonl").usages[0].tokens;
 * // => { input: 3, output: 5, cacheRead: 0, cacheWrite: 0 }
 * ```
 */
export function parseTranscript(
  text: string,
  file: string,
): { usages: UsageLine[]; problems: TranscriptProblem[] } {
  const usages: UsageLine[] = [];
  const problems: TranscriptProblem[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push({ file, line: index + 1, message: "not a JSON object" });
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.push({ file, line: index + 1, message: "not a JSON object" });
      return;
    }
    if ((value as { type?: unknown }).type !== "assistant") return;
    const parsed = assistantSchema.safeParse(value);
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      problems.push({
        file,
        line: index + 1,
        message: `assistant line without a readable "${issue.path.join(".")}": ${issue.message}`,
      });
      return;
    }
    const { message, timestamp } = parsed.data;
    usages.push({
      id: message.id,
      model: message.model,
      timestamp: Date.parse(timestamp),
      tokens: {
        input: message.usage.input_tokens,
        output: message.usage.output_tokens,
        cacheRead: message.usage.cache_read_input_tokens ?? 0,
        cacheWrite: message.usage.cache_creation_input_tokens ?? 0,
      },
    });
  });
  return { usages, problems };
}

/** What one run is charged: the tokens per model of the messages in its window. */
export interface Tally {
  /** model → tokens, for models with at least one message in the window. */
  byModel: Record<string, Tokens>;
  /** Distinct messages counted. */
  messages: number;
  /** The earliest timestamp of any message of the session (ms), or `null` for none. */
  firstTimestamp: number | null;
}

/** Zero tokens. */
export function noTokens(): Tokens {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
}

/** The sum of every kind of token. */
export function totalTokens(tokens: Tokens): number {
  return tokens.input + tokens.output + tokens.cacheRead + tokens.cacheWrite;
}

/**
 * Sums the usage of the distinct messages whose first appearance lies in the window
 * `(after, until]` (`after` null: from the session's start). A message id that appears again
 * (streamed parts, the same response in a subagent's file) is counted once, at its first line,
 * so a message counted by one run is never counted by the next.
 */
export function tallyWindow(
  usages: readonly UsageLine[],
  window: { after: number | null; until: number },
): Tally {
  const first = new Map<string, UsageLine>();
  for (const usage of usages) {
    const seen = first.get(usage.id);
    if (!seen || usage.timestamp < seen.timestamp) first.set(usage.id, usage);
  }
  const byModel: Record<string, Tokens> = {};
  let messages = 0;
  let firstTimestamp: number | null = null;
  for (const usage of first.values()) {
    if (firstTimestamp === null || usage.timestamp < firstTimestamp) {
      firstTimestamp = usage.timestamp;
    }
    if (window.after !== null && usage.timestamp <= window.after) continue;
    if (usage.timestamp > window.until) continue;
    const sum = byModel[usage.model] ??= noTokens();
    sum.input += usage.tokens.input;
    sum.output += usage.tokens.output;
    sum.cacheRead += usage.tokens.cacheRead;
    sum.cacheWrite += usage.tokens.cacheWrite;
    messages++;
  }
  return { byModel, messages, firstTimestamp };
}

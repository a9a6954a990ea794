/**
 * `mlp hook claude`: Claude Code's PreToolUse hook, which the template's `.claude/settings.json`
 * runs before every Read, Edit, Write, MultiEdit, NotebookEdit, Grep, Glob and Bash call. It reads
 * the hook input on stdin and exits 0 to allow the call, or 2 with the reasons on stderr (Claude
 * Code shows them to the model) to block it. It fails closed: unreadable input, or any error
 * while judging, exits 2 too, since any other exit code lets the call through.
 *
 * @module
 */
import type { Command } from "commander";
import { readFileSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { committedReference, readCommitted } from "../config/committed.ts";
import type { ProtectedReference } from "../config/protected.ts";
import { loadStandards } from "../config/standards.ts";
import { InputError, MlpError } from "../errors.ts";
import {
  contentAfter,
  decideToolCall,
  type HookInput,
  JUDGED_TOOLS,
  parseHookInput,
} from "../harness/claude_rules.ts";
import { isExperimentConfig } from "../harness/project_files.ts";
import { formatRefusals } from "../harness/refusal.ts";
import { findProjectRoot, STANDARDS_PATH } from "../project/paths.ts";
import { printErr } from "./output.ts";

/** Registers `mlp hook claude` on the `mlp hook` command. */
export function registerClaudeHook(hook: Command): void {
  hook
    .command("claude")
    .description(
      "Claude Code's PreToolUse hook: block tool calls that break the project's rules (exit 2).",
    )
    .addHelpText(
      "after",
      `
Reads Claude Code's PreToolUse hook input (JSON) on stdin. Blocks, with exit code 2 and the
reasons on stderr: an edit that changes a protected field of an experiment config, or writes a
training call or a production data path into project code; an edit of data/, logs/, the
standards, .githooks/ or .claude/; a Read, Grep or Glob of data/production; a Bash command that
trains outside \`mlp run\`, skips or redirects the git hooks, clears the variables that tell mlp
an agent runs it, or names production data. Judges ${JUDGED_TOOLS.join(", ")}; allows the rest.
Malformed input is blocked too. The project is the one of CLAUDE_PROJECT_DIR, else the current
directory. What it cannot see is in docs/agents.md.

Example:
  echo '{"session_id":"s","hook_event_name":"PreToolUse","cwd":"'$PWD'","tool_name":"Bash","tool_input":{"command":"git commit --no-verify -m x"}}' | mlp hook claude`,
    )
    .action(async () => {
      try {
        await judgeStdin();
      } catch (error) {
        if (error instanceof InputError) throw error;
        // Exit 1 or a crash would let the tool call through: every failure blocks it.
        const why = error instanceof MlpError ? error.message : String(error);
        throw new InputError(`mlp hook claude could not judge the tool call: ${why}`, {
          hint: error instanceof MlpError && error.hint
            ? error.hint
            : "fix the cause (see the message), then retry the tool call",
        });
      }
    });
}

async function judgeStdin(): Promise<void> {
  const text = await new Response(Deno.stdin.readable).text();
  const input = parseHookInput(text);
  if (typeof input === "string") {
    throw new InputError(`the hook input is not Claude Code's PreToolUse JSON: ${input}`, {
      hint: "run this only as the PreToolUse hook of .claude/settings.json",
    });
  }
  const root = findProjectRoot(Deno.env.get("CLAUDE_PROJECT_DIR") || Deno.cwd());
  const reference = await referenceIfNeeded(root, input);
  const decision = decideToolCall(input, {
    root,
    readText,
    realPath,
    reference: () => {
      if (reference === undefined) {
        throw new InputError("the protected fields' reference values were not read for this edit");
      }
      return reference;
    },
  });
  if (decision.allow) return;
  printErr(formatRefusals(decision.refusals));
  throw new InputError(`mlp blocked this ${input.tool_name} call: the reasons are above`, {
    hint: "follow the advice above; the rules are in AGENTS.md",
  });
}

/** The reference values, read only for an edit of an experiment config (they need git). */
async function referenceIfNeeded(
  root: string,
  input: HookInput,
): Promise<ProtectedReference | undefined> {
  if (!["Write", "Edit", "MultiEdit"].includes(input.tool_name)) return undefined;
  const path = resolve(input.cwd, String(input.tool_input.file_path));
  const rel = path.startsWith(`${root}/`) ? path.slice(root.length + 1) : null;
  if (rel === null || !isExperimentConfig(rel)) return undefined;
  if (contentAfter(input, readText(path)) === null) return undefined;
  const working = await loadStandards(join(root, STANDARDS_PATH), STANDARDS_PATH);
  return committedReference(await readCommitted(root), working, STANDARDS_PATH);
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // A file about to be created: its folder's links decide where it goes.
    try {
      return join(realpathSync(dirname(path)), path.slice(dirname(path).length + 1));
    } catch {
      return path;
    }
  }
}

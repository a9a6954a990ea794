/**
 * The rules of `mlp hook claude`, Claude Code's PreToolUse hook (plan §3.1, §10): a tool call
 * may not change a protected field of an experiment config, write a training call or a
 * production data path into project code, edit what only mlp or a person changes (data, logs,
 * the standards, the hooks, `.claude/`), read production data, or run a Bash command that
 * `bash_rules.ts` refuses. An edit is judged by the file as it would be after it, computed from
 * the tool input (Write's `content`, Edit's `old_string`/`new_string`/`replace_all`, MultiEdit's
 * `edits`), against the file as it is: a problem the file already has does not block an edit of
 * something else. Pure: files and the protected fields' reference values are passed in.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import {
  findProtectedMismatches,
  formatMismatches,
  type ProtectedMismatch,
  type ProtectedReference,
  uncommittedNote,
} from "../config/protected.ts";
import { MlpError } from "../errors.ts";
import { guardFile } from "../guard/check_file.ts";
import { productionReferences } from "../guard/production_paths.ts";
import { hasPythonShebang, isExcludedPath, isGuardedPath } from "../guard/python_files.ts";
import { bashRefusals } from "./bash_rules.ts";
import {
  isExperimentConfig,
  isProduction,
  placeRefusals,
  PRODUCTION_HINT,
  projectPath,
} from "./project_files.ts";
import { decide, type Decision, type Refusal } from "./refusal.ts";

/** One replacement of Edit or MultiEdit. */
const replacement = z.object({
  old_string: z.string(),
  new_string: z.string(),
  replace_all: z.boolean().optional(),
});

/** The documented fields of PreToolUse hook input this hook reads; others are ignored. */
export const hookInputSchema = z.object({
  session_id: z.string(),
  hook_event_name: z.literal("PreToolUse"),
  cwd: z.string().refine(isAbsolute, "must be an absolute path"),
  tool_name: z.string().min(1),
  tool_input: z.record(z.string(), z.unknown()),
});

/** PreToolUse hook input, as Claude Code writes it on the hook's stdin. */
export type HookInput = z.infer<typeof hookInputSchema>;

const filePath = z.string().min(1);
const TOOL_INPUTS = {
  Read: z.object({ file_path: filePath }),
  Write: z.object({ file_path: filePath, content: z.string() }),
  Edit: replacement.extend({ file_path: filePath }),
  MultiEdit: z.object({ file_path: filePath, edits: z.array(replacement) }),
  NotebookEdit: z.object({ notebook_path: filePath, new_source: z.string().optional() }),
  Bash: z.object({ command: z.string() }),
  Grep: z.object({ path: z.string().optional() }),
  Glob: z.object({ path: z.string().optional() }),
};

/** The tools `mlp hook claude` judges; any other tool call is allowed. */
export const JUDGED_TOOLS = Object.keys(TOOL_INPUTS) as (keyof typeof TOOL_INPUTS)[];

const PROTECTED_HINT = "agents do not change protected fields: restore the reference value. " +
  "Only a person approves a change, by running it with " +
  '`mlp run --override-protected --reason "<why>"`, which logs it to logs/protected_overrides.log';
const GUARD_HINT = "models are trained and logged only by `mlp run`, which fits the estimator " +
  "that src/model.py builds: return an unfitted estimator and leave the fitting to the run";

/** What the rules need besides the tool call. */
export interface RuleContext {
  /** The project root, absolute. */
  root: string;
  /** The text of the file at an absolute path; null when it does not exist or cannot be read. */
  readText(path: string): string | null;
  /** The path with every symlink resolved (the path itself when it does not exist). */
  realPath(path: string): string;
  /**
   * The protected fields' reference values (the standards at HEAD); asked only for an edit of an
   * experiment config. It throws an {@linkcode MlpError} when they cannot be read.
   */
  reference(): ProtectedReference;
}

/**
 * Parses hook input; a malformed one is described, so the hook can refuse it (fail closed).
 *
 * @returns The input, or what is wrong with it.
 */
export function parseHookInput(text: string): HookInput | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return `stdin is not JSON (${(error as Error).message})`;
  }
  const parsed = hookInputSchema.safeParse(raw);
  if (!parsed.success) return describeIssues(parsed.error.issues);
  const schema = (TOOL_INPUTS as Record<string, z.ZodType>)[parsed.data.tool_name];
  if (schema !== undefined) {
    const input = schema.safeParse(parsed.data.tool_input);
    if (!input.success) {
      return `${parsed.data.tool_name}: ${describeIssues(input.error.issues, "tool_input")}`;
    }
  }
  return parsed.data;
}

function describeIssues(issues: readonly z.core.$ZodIssue[], prefix = ""): string {
  return issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
    return `${path || "the input"}: ${issue.message}`;
  }).join("; ");
}

/**
 * Decides a PreToolUse call: allowed, or blocked with every rule it breaks.
 *
 * @example Usage
 * ```ts
 * import { decideToolCall } from "./claude_rules.ts";
 * const context = {
 *   root: "/p",
 *   readText: () => null,
 *   realPath: (path: string) => path,
 *   reference: () => { throw new Error("not a config edit"); },
 * };
 * const input = {
 *   session_id: "s", hook_event_name: "PreToolUse" as const, cwd: "/p", tool_name: "Read",
 *   tool_input: { file_path: "/p/data/production/loans.csv" },
 * };
 * decideToolCall(input, context).allow; // => false
 * ```
 */
export function decideToolCall(input: HookInput, context: RuleContext): Decision {
  const tool = input.tool_input;
  switch (input.tool_name) {
    case "Read":
      return decide(productionAccess(context, input.cwd, String(tool.file_path), "read"));
    case "Grep":
    case "Glob":
      return decide(
        typeof tool.path === "string"
          ? productionAccess(context, input.cwd, tool.path, "search")
          : [],
      );
    case "Bash":
      return decide(
        bashRefusals(String(tool.command), { ...context, cwd: input.cwd }),
      );
    case "Write":
    case "Edit":
    case "MultiEdit":
      return decide(editRefusals(input, context));
    case "NotebookEdit":
      return decide(notebookRefusals(input, context));
    default:
      return { allow: true };
  }
}

function editRefusals(input: HookInput, context: RuleContext): Refusal[] {
  const path = resolve(input.cwd, String(input.tool_input.file_path));
  const real = projectPath(context.root, context.realPath(path));
  const rel = projectPath(context.root, path);
  if (real !== null && real !== rel && placeRefusals(real).length > 0) return placeRefusals(real);
  if (rel === null) return [];
  const place = placeRefusals(rel);
  if (place.length > 0) return place;
  const before = context.readText(path);
  const after = contentAfter(input, before);
  if (after === null) return [];
  return [
    ...configRefusals(rel, before, after, context),
    ...codeRefusals(rel, before ?? "", after),
  ];
}

function notebookRefusals(input: HookInput, context: RuleContext): Refusal[] {
  const path = resolve(input.cwd, String(input.tool_input.notebook_path));
  const rel = projectPath(context.root, path);
  if (rel === null) return [];
  const place = placeRefusals(rel);
  if (place.length > 0) return place;
  const source = input.tool_input.new_source;
  if (typeof source !== "string" || isExcludedPath(rel)) return [];
  // The cell alone is read as Python: a training call in it is one in the notebook.
  return codeRefusals(`${rel}.py`, "", source).map((r) => ({
    ...r,
    subject: r.subject.replace(`${rel}.py`, `${rel} (the edited cell)`),
  }));
}

/**
 * The file's text after Write, Edit or MultiEdit as Claude Code applies them (literal, not
 * patterns; the first occurrence unless `replace_all`); null when the edit cannot apply (no file
 * to edit), which Claude Code refuses itself.
 */
export function contentAfter(input: HookInput, before: string | null): string | null {
  const tool = input.tool_input;
  if (input.tool_name === "Write") return String(tool.content);
  if (before === null) return null;
  const edits = input.tool_name === "Edit"
    ? [tool as z.infer<typeof replacement>]
    : (tool.edits as z.infer<typeof replacement>[]);
  let text = before;
  for (const edit of edits) {
    if (edit.old_string === "") return null;
    if (edit.replace_all) {
      text = text.split(edit.old_string).join(edit.new_string);
    } else {
      const at = text.indexOf(edit.old_string);
      if (at < 0) return null;
      text = text.slice(0, at) + edit.new_string + text.slice(at + edit.old_string.length);
    }
  }
  return text;
}

/** The protected fields an edit of an experiment config changes away from the reference. */
function configRefusals(
  rel: string,
  before: string | null,
  after: string,
  context: RuleContext,
): Refusal[] {
  if (!isExperimentConfig(rel)) return [];
  const reference = context.reference();
  let changed: ProtectedMismatch[];
  try {
    const now = before === null ? [] : mismatchesOrNull(before, rel, reference) ?? [];
    changed = findProtectedMismatches(after, rel, reference.standards).filter((m) =>
      !now.some((n) => n.field === m.field && n.actual === m.actual)
    );
  } catch (error) {
    if (!(error instanceof MlpError)) throw error;
    return [{
      subject: rel,
      message: `after the edit the file is not valid YAML, so its protected fields cannot be ` +
        `checked: ${error.message}`,
      hint: "make the edit leave valid YAML (or write the whole file)",
    }];
  }
  const lines = formatMismatches(rel, changed, reference.label);
  return changed.map((mismatch, i) => {
    const [subject, ...message] = lines[i].split(": ");
    return {
      subject,
      message: `the edit changes a protected field: ${message.join(": ")}` +
        uncommittedNote(mismatch, reference),
      hint: PROTECTED_HINT,
    };
  });
}

function mismatchesOrNull(
  text: string,
  rel: string,
  reference: ProtectedReference,
): ProtectedMismatch[] | null {
  try {
    return findProtectedMismatches(text, rel, reference.standards);
  } catch {
    return null;
  }
}

/**
 * Training calls and production paths an edit adds to project code: the training guard on every
 * Python file outside tests/ and scripts/, the production check on src/, as the pre-commit hook
 * runs them, counting only what the file does not have yet.
 */
function codeRefusals(rel: string, before: string, after: string): Refusal[] {
  const added = (found: (text: string) => { line?: number; message: string; hint: string }[]) => {
    const old = found(before).map((p) => p.message);
    return found(after).filter((p) => {
      const at = old.indexOf(p.message);
      if (at < 0) return true;
      old.splice(at, 1);
      return false;
    });
  };
  const refusals: Refusal[] = [];
  const python = isGuardedPath(rel) ||
    (!isExcludedPath(rel) && hasPythonShebang(new TextEncoder().encode(after.slice(0, 256))));
  if (python) {
    for (const problem of added((text) => guardFile(rel, text))) {
      refusals.push({
        subject: problem.line === undefined ? rel : `${rel}:${problem.line}`,
        message: problem.message,
        hint: problem.hint.startsWith("models are trained") ? GUARD_HINT : problem.hint,
      });
    }
  }
  if (rel.startsWith("src/")) {
    for (const problem of added((text) => productionReferences(rel, text))) {
      refusals.push({
        subject: `${rel}:${problem.line}`,
        message: problem.message,
        hint: problem.hint,
      });
    }
  }
  return refusals;
}

/** A Read, Grep or Glob of production data, named directly or through a symlink. */
function productionAccess(
  context: RuleContext,
  cwd: string,
  path: string,
  verb: string,
): Refusal[] {
  const absolute = resolve(cwd, path);
  const rel = [absolute, context.realPath(absolute)].map((p) => projectPath(context.root, p))
    .find((r) => r !== null && isProduction(r));
  if (rel === undefined || rel === null) return [];
  return [{
    subject: rel,
    message: `agents do not ${verb} production data`,
    hint: PRODUCTION_HINT,
  }];
}

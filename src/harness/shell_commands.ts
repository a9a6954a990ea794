/**
 * A Bash command line split into the simple commands it runs, for the rules of the Claude Code
 * hook. Words come from `shell-quote` (quotes, escapes, operators); this module adds what that
 * tokenizer leaves out and a rule needs: unquoted newlines separate commands, `(`, `)`, `&&`,
 * `||`, `;`, `|` and `&` end one, and a command substitution (`$(…)` or backticks, also inside
 * double quotes) is split out as commands of its own. It errs on the side of seeing more
 * commands, never fewer: text in single quotes that looks like a substitution is split out too.
 * Variables are kept as written (`$HOME`), never expanded. Pure.
 *
 * @module
 */
// @ts-types="@types/shell-quote"
import { parse } from "shell-quote";

/** One simple command: its words, where it redirects, and whether its stdin is fed. */
export interface SimpleCommand {
  /** The words, leading `NAME=value` assignments included, redirections excluded. */
  words: string[];
  /** The files its redirections name (`> out`, `< in`, `2>> log`). */
  targets: string[];
  /** The files its output redirections write (`> out`, `>> log`, `&> all`, `<> both`). */
  writes: string[];
  /** Its stdin is a pipe, a file (`<`) or a here-document or here-string (`<<`, `<<<`). */
  stdinFed: boolean;
}

const SEPARATORS = new Set(["&&", "||", ";", ";;", "&", "(", ")", "<("]);
const PIPES = new Set(["|", "|&"]);
const STDIN_REDIRECTS = new Set(["<", "<<", "<<<", "<&"]);

/**
 * The simple commands of `script`, in order, including those of its command substitutions.
 *
 * @example Usage
 * ```ts
 * import { simpleCommands } from "./shell_commands.ts";
 * simpleCommands("cd src && python -c 'print(1)' | tee out").map((c) => c.words);
 * // => [["cd", "src"], ["python", "-c", "print(1)"], ["tee", "out"]]
 * ```
 */
export function simpleCommands(script: string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let current: SimpleCommand = { words: [], targets: [], writes: [], stdinFed: false };
  let redirect = false;
  let writing = false;
  const end = (fedNext: boolean) => {
    if (current.words.length > 0 || current.targets.length > 0) commands.push(current);
    current = { words: [], targets: [], writes: [], stdinFed: fedNext };
  };
  const { text, backticks } = separateLines(script);
  const substituted: string[] = [];
  for (const entry of parse(text, (name) => `$${name}`)) {
    if (typeof entry === "string") {
      if (entry.includes("$(")) substituted.push(entry);
      if (redirect) {
        current.targets.push(entry);
        if (writing && !/^\d+$/.test(entry)) current.writes.push(entry);
        redirect = writing = false;
      } else if (entry !== "$") {
        // A lone "$" is what the tokenizer leaves of `$(`: the "(" that follows starts commands.
        current.words.push(entry);
      }
    } else if ("comment" in entry) {
      continue;
    } else if (entry.op === "glob") {
      (redirect ? current.targets : current.words).push(entry.pattern);
      if (redirect && writing) current.writes.push(entry.pattern);
      redirect = writing = false;
    } else if (PIPES.has(entry.op)) {
      end(true);
    } else if (SEPARATORS.has(entry.op)) {
      end(false);
    } else {
      // Any other operator is a redirection (`>`, `>>`, `<`, `>&`, `&>`, `<<`, `<<<`, …).
      redirect = true;
      writing = entry.op.includes(">");
      if (STDIN_REDIRECTS.has(entry.op)) current.stdinFed = true;
    }
  }
  end(false);
  for (const word of substituted) commands.push(...simpleCommands(insideSubstitutions(word)));
  for (const inner of backticks) commands.push(...simpleCommands(inner));
  return commands;
}

/**
 * `script` with each newline outside quotes turned into `;`, which the tokenizer keeps, and the
 * scripts between backticks outside single quotes (which the tokenizer splits into words).
 */
function separateLines(script: string): { text: string; backticks: string[] } {
  let text = "";
  const backticks: string[] = [];
  let quote: "'" | '"' | null = null;
  let opened = false;
  for (let i = 0; i < script.length; i++) {
    const char = script[i];
    if (quote !== "'" && char === "\\" && i + 1 < script.length) {
      text += quote === null && script[i + 1] === "\n" ? " " : char + script[i + 1];
      i++;
      continue;
    }
    if (quote === null && char === "#" && (i === 0 || /[\s;&|()]/.test(script[i - 1]))) {
      // A comment runs to the end of its line, not (as it would once lines are joined) further.
      const end = script.indexOf("\n", i);
      if (end < 0) break;
      i = end - 1;
      continue;
    }
    if (quote !== "'" && char === "`") {
      opened = !opened;
      const close = script.indexOf("`", i + 1);
      if (opened) backticks.push(script.slice(i + 1, close < 0 ? script.length : close));
    }
    if (quote === null && (char === "'" || char === '"')) quote = char;
    else if (quote === char) quote = null;
    text += quote === null && char === "\n" ? " ; " : char;
  }
  return { text, backticks };
}

/**
 * The commands substituted in a word (`$(…)` up to its matching parenthesis), one per line; an
 * unclosed one runs to the end of the word.
 */
function insideSubstitutions(word: string): string {
  const scripts: string[] = [];
  for (let i = 0; i < word.length; i++) {
    if (word.startsWith("$(", i)) {
      let depth = 1;
      let j = i + 2;
      for (; j < word.length && depth > 0; j++) {
        if (word[j] === "(") depth++;
        else if (word[j] === ")") depth--;
      }
      scripts.push(word.slice(i + 2, depth === 0 ? j - 1 : j));
      i = j - 1;
    }
  }
  return scripts.join("\n");
}

/**
 * A small Python tokenizer: just enough of Python's lexical grammar for the training guard to tell
 * code from comments, strings and docstrings, and to follow import statements.
 *
 * Hand-written on purpose: there is no maintained Python tokenizer on npm, and spawning Python per
 * commit costs 50+ ms per file (the pre-commit hook runs on every commit). Python's lexical
 * grammar is small and stable; what matters here is strings (every prefix, triple quotes,
 * backslash escapes, PEP 701 f-strings with nested quotes), comments, line continuations and
 * logical line ends.
 *
 * The replacement fields of f-strings (`f"{model.fit(x)}"`) are code that runs, so their tokens
 * are emitted like any other code; the literal parts of the f-string are one string token.
 *
 * Names are given as Python reads them: NFKC-normalized (PEP 3131), so `model.ｆｉｔ` and
 * `model.𝐟𝐢𝐭` are `model.fit`, which is what runs.
 *
 * @module
 */

/** What a token is. Whitespace, comments and indentation produce no tokens. */
export type TokenKind = "name" | "number" | "string" | "op" | "newline";

/** One token, with the 1-based line and column (in UTF-16 code units) of its first character. */
export interface Token {
  kind: TokenKind;
  /** The source text of the token; a name NFKC-normalized; for `newline`, `"\n"`. */
  value: string;
  line: number;
  column: number;
}

const NAME_START = /[\p{L}\p{Nl}_]/u;
const NAME_PART = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_]/u;

// The hook scans every staged file on every commit: ASCII is decided by char code, and only
// other characters pay for a Unicode property test, on the whole code point (a letter outside
// the Basic Multilingual Plane, such as a mathematical bold "𝐟", is two UTF-16 units).

/** The length in UTF-16 units of the identifier character at `pos` (0: none). */
function nameCharLength(source: string, pos: number, first: boolean): number {
  const c = source.charCodeAt(pos);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) return 1;
  if (c >= 48 && c <= 57) return first ? 0 : 1;
  if (!(c > 127)) return 0;
  const point = String.fromCodePoint(source.codePointAt(pos)!);
  return (first ? NAME_START : NAME_PART).test(point) ? point.length : 0;
}

function isDigit(ch: string | undefined): boolean {
  const c = ch === undefined ? -1 : ch.charCodeAt(0);
  return c >= 48 && c <= 57;
}
const STRING_PREFIX = /^(?:[rRuUbBfFtT]|[rR][bBfFtT]|[bBfFtT][rR])$/;
const SPECIAL_IN_STRING: Record<string, RegExp> = { '"': /["\\\n\r]/g, "'": /['\\\n\r]/g };
const SPECIAL_IN_FORMAT = /["'\\\n\r{]/g;
const LINE_BREAK = /[\n\r]/g;
const OPENERS = "([{";
const CLOSERS = ")]}";

/**
 * Splits Python source into tokens. Never throws: source that Python itself would reject (an
 * unterminated string, say) still yields tokens, because the guard must scan work in progress.
 *
 * @example Usage
 * ```ts
 * import { tokenizePython } from "./python_tokens.ts";
 * tokenizePython("m.fit(x)  # m.fit(y)\n").map((t) => t.value);
 * // => ["m", ".", "fit", "(", "x", ")", "\n"]
 * ```
 */
export function tokenizePython(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;

  function push(
    kind: TokenKind,
    value: string,
    start: number,
    startLine: number,
    startCol: number,
  ) {
    tokens.push({ kind, value, line: startLine, column: start - startCol + 1 });
  }

  /** Consumes one line break at `pos` (\n, \r\n or \r) and advances the line counter. */
  function lineBreak(): void {
    if (source[pos] === "\r" && source[pos + 1] === "\n") pos++;
    pos++;
    line++;
    lineStart = pos;
  }

  function isLineBreak(ch: string | undefined): boolean {
    return ch === "\n" || ch === "\r";
  }

  /**
   * Scans a string literal whose opening quote is at `pos`; `isFormat` strings have their
   * replacement fields tokenized as code.
   */
  function scanString(start: number, startLine: number, startCol: number, isFormat: boolean) {
    const quote = source[pos];
    const triple = source.startsWith(quote.repeat(3), pos);
    const closing = triple ? quote.repeat(3) : quote;
    pos += closing.length;
    const fieldTokens: Token[] = [];
    while (pos < source.length) {
      const ch = source[pos];
      if (ch === "\\") {
        pos++;
        if (isLineBreak(source[pos])) lineBreak();
        else if (pos < source.length) pos++;
        continue;
      }
      if (source.startsWith(closing, pos)) {
        pos += closing.length;
        break;
      }
      if (isLineBreak(ch)) {
        // A single-quoted string cannot span lines: Python reports an error; we end the string.
        if (!triple) break;
        lineBreak();
        continue;
      }
      if (isFormat && ch === "{") {
        if (source[pos + 1] === "{") {
          pos += 2;
          continue;
        }
        pos++;
        const outer = tokens.length;
        scanCode(true);
        fieldTokens.push(...tokens.splice(outer));
        continue;
      }
      pos++;
      // Jump to the next character that can matter inside this string.
      const special = isFormat ? SPECIAL_IN_FORMAT : SPECIAL_IN_STRING[quote];
      special.lastIndex = pos;
      pos = special.test(source) ? special.lastIndex - 1 : source.length;
    }
    push("string", source.slice(start, pos), start, startLine, startCol);
    tokens.push(...fieldTokens);
  }

  /**
   * The main loop. With `inField`, scans the replacement field of an f-string and returns after
   * its closing `}`; brackets inside a field never end a logical line.
   */
  function scanCode(inField: boolean): void {
    let depth = inField ? 1 : 0;
    let first: number;
    while (pos < source.length) {
      const ch = source[pos];
      const start = pos;
      const startLine = line;
      const startCol = lineStart;
      if (ch === " " || ch === "\t" || ch === "\f") {
        pos++;
      } else if (isLineBreak(ch)) {
        if (depth === 0) {
          const last = tokens.at(-1);
          if (last && last.kind !== "newline") push("newline", "\n", start, startLine, startCol);
        }
        lineBreak();
      } else if (ch === "#") {
        LINE_BREAK.lastIndex = pos;
        pos = LINE_BREAK.test(source) ? LINE_BREAK.lastIndex - 1 : source.length;
      } else if (ch === "\\" && isLineBreak(source[pos + 1])) {
        pos++;
        lineBreak();
      } else if (ch === '"' || ch === "'") {
        scanString(start, startLine, startCol, false);
      } else if ((first = nameCharLength(source, pos, true)) > 0) {
        let ascii = first === 1 && source.charCodeAt(pos) < 128;
        pos += first;
        for (let n; pos < source.length && (n = nameCharLength(source, pos, false)) > 0;) {
          if (n > 1 || source.charCodeAt(pos) > 127) ascii = false;
          pos += n;
        }
        const word = source.slice(start, pos);
        if ((source[pos] === '"' || source[pos] === "'") && STRING_PREFIX.test(word)) {
          scanString(start, startLine, startCol, /[fFtT]/.test(word));
        } else {
          const name = ascii ? word : word.normalize("NFKC");
          push("name", name, start, startLine, startCol);
        }
      } else if (isDigit(ch) || (ch === "." && isDigit(source[pos + 1]))) {
        scanNumber();
        push("number", source.slice(start, pos), start, startLine, startCol);
      } else {
        pos++;
        if (OPENERS.includes(ch)) depth++;
        if (CLOSERS.includes(ch)) {
          depth = Math.max(0, depth - 1);
          if (inField && depth === 0 && ch === "}") return;
        }
        push("op", ch, start, startLine, startCol);
      }
    }
  }

  /** Numbers: digits, underscores, a point, exponents with a sign, hex/octal/binary, `j`. */
  function scanNumber(): void {
    const hex = /^0[xX]/.test(source.slice(pos, pos + 2));
    while (pos < source.length) {
      const ch = source[pos];
      if (/[0-9a-zA-Z_.]/.test(ch)) {
        pos++;
        if (!hex && /[eE]/.test(ch) && /[+-]/.test(source[pos] ?? "")) pos++;
      } else {
        break;
      }
    }
  }

  scanCode(false);
  const last = tokens.at(-1);
  if (last && last.kind !== "newline") {
    tokens.push({ kind: "newline", value: "\n", line, column: pos - lineStart + 1 });
  }
  return tokens;
}

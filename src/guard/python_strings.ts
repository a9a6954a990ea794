/**
 * The values of Python string literals, for the training guard: what `getattr(m, "f" "it")`
 * looks up, what `exec("m.fit(X)")` runs, which path `os.path.join("data", "production")` builds.
 * Only literals and their concatenation count; anything computed is not a constant. Pure.
 *
 * @module
 */
import type { Token } from "./python_tokens.ts";

/** Options of {@linkcode stringValue}. */
export interface StringValueOptions {
  /**
   * What stands for each replacement field of an f-string (`{x}`); without it an f-string with
   * fields has no constant value.
   */
  fields?: string;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/**
 * The value of one string literal token (`'fit'`, `rb"\x66"`, `"""…"""`, `f"a{{b}}"`), escapes
 * decoded as Python decodes them (a bytes literal as Latin-1 text). `\N{…}` is kept as written.
 *
 * @returns `undefined` for an f-string with replacement fields, unless `options.fields` is given.
 *
 * @example Usage
 * ```ts
 * import { stringValue } from "./python_strings.ts";
 * stringValue(String.raw`"\x66it"`); // => "fit"
 * ```
 */
export function stringValue(literal: string, options: StringValueOptions = {}): string | undefined {
  // Called on every string literal of every staged module: plain characters, no regexes.
  let quoteAt = 0;
  let raw = false;
  let format = false;
  let bytes = false;
  for (; quoteAt < literal.length; quoteAt++) {
    const c = literal.charCodeAt(quoteAt) | 0x20;
    if (c === 0x22 || c === 0x27) break; // " or '
    if (c === 0x72) raw = true; // r
    else if (c === 0x66 || c === 0x74) format = true; // f, t
    else if (c === 0x62) bytes = true; // b
  }
  const quote = literal[quoteAt];
  if (quote !== '"' && quote !== "'") return undefined;
  const open = literal[quoteAt + 1] === quote && literal[quoteAt + 2] === quote ? 3 : 1;
  const start = quoteAt + open;
  const closed = literal.length - start >= open &&
    literal.endsWith(open === 3 ? quote.repeat(3) : quote);
  let body = literal.slice(start, closed ? literal.length - open : literal.length);
  if (format) {
    const literalParts = formatLiteral(body, options.fields);
    if (literalParts === undefined) return undefined;
    body = literalParts;
  }
  return raw ? body : decodeEscapes(body, bytes);
}

/** The literal text of an f-string's body, each field replaced by `fields`, `{{`/`}}` undoubled. */
function formatLiteral(body: string, fields: string | undefined): string | undefined {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if ((ch === "{" || ch === "}") && body[i + 1] === ch) {
      out += ch;
      i++;
    } else if (ch === "{") {
      if (fields === undefined) return undefined;
      let depth = 1;
      while (depth > 0 && ++i < body.length) {
        if (body[i] === "{") depth++;
        if (body[i] === "}") depth--;
      }
      out += fields;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Python's backslash escapes; an unknown escape keeps its backslash, as Python does. */
function decodeEscapes(body: string, bytes: boolean): string {
  if (!body.includes("\\")) return body;
  return body.replace(
    /\\(\r\n|[\n\r]|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[\s\S]?)/g,
    (whole, escape: string) => {
      if (escape === "" || /^[\r\n]/.test(escape)) return "";
      if (escape in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[escape];
      if (/^[0-7]/.test(escape)) return String.fromCharCode(parseInt(escape, 8));
      if (escape[0] === "x") return String.fromCharCode(parseInt(escape.slice(1), 16));
      if (!bytes && (escape[0] === "u" || escape[0] === "U")) {
        const point = parseInt(escape.slice(1), 16);
        return point <= 0x10ffff ? String.fromCodePoint(point) : whole;
      }
      return whole;
    },
  );
}

/** A constant string expression and the index of the token after it. */
export interface ConstantString {
  value: string;
  end: number;
}

/**
 * The constant string expression that starts at `tokens[start]` and fills a whole argument, item
 * or subscript: literals side by side (`"fi" "t"`), joined by `+`, in parentheses. Anything else
 * (a name, a call, `%`, an f-string field) means it is not a constant.
 *
 * @returns its value and `end`, the index of the `,`, `)`, `]` or line end after it; `undefined`
 *   when the expression is not a constant string.
 */
export function constantString(
  tokens: readonly Token[],
  start: number,
): ConstantString | undefined {
  const parsed = sum(tokens, start);
  if (!parsed) return undefined;
  const after = tokens[parsed.end];
  const ends = after === undefined || after.kind === "newline" ||
    (after.kind === "op" && (after.value === "," || after.value === ")" || after.value === "]"));
  return ends ? parsed : undefined;
}

/** `atom (+ atom)*`. */
function sum(tokens: readonly Token[], start: number): ConstantString | undefined {
  let left = atom(tokens, start);
  while (left && isOp(tokens[left.end], "+")) {
    const right = atom(tokens, left.end + 1);
    left = right && { value: left.value + right.value, end: right.end };
  }
  return left;
}

/** Adjacent literals, or a parenthesized sum. */
function atom(tokens: readonly Token[], start: number): ConstantString | undefined {
  if (isOp(tokens[start], "(")) {
    const inner = sum(tokens, start + 1);
    return inner && isOp(tokens[inner.end], ")")
      ? { value: inner.value, end: inner.end + 1 }
      : undefined;
  }
  let value = "";
  let i = start;
  for (; tokens[i]?.kind === "string"; i++) {
    const part = stringValue(tokens[i].value);
    if (part === undefined) return undefined;
    value += part;
  }
  return i > start ? { value, end: i } : undefined;
}

function isOp(token: Token | undefined, value: string): boolean {
  return token?.kind === "op" && token.value === value;
}

/**
 * Problems found in a config file, and the one error that reports all of them at once. An agent
 * fixing a config should see every problem in one pass, each with its line, the field, the value
 * and what is allowed; this module turns zod issues and mlp's own cross-field rules into that.
 *
 * @module
 */
import type { z } from "zod";
import { InputError } from "../errors.ts";
import { didYouMean } from "./suggest.ts";
import type { PathSegment, Position, YamlDoc } from "./yaml_strict.ts";

/** One problem in a config file, before it is given a line and column. */
export interface ConfigProblem {
  /** Path of the field the problem is about. */
  path: PathSegment[];
  /**
   * Which node locates it: the field's `value`, its `key` (unknown fields) or its `parent`
   * mapping (missing fields, which have no node of their own).
   */
  at: "value" | "key" | "parent";
  /** The text after `field "<path>"`, starting with ": " or " is". */
  text: string;
}

/** A problem for a required field that is absent; `what` says what to write. */
export function missing(path: PathSegment[], what: string): ConfigProblem {
  return { path, at: "parent", text: what ? ` is missing: ${what}` : " is missing" };
}

/** A problem for a field whose value is wrong; `clause` names the value and the rule. */
export function invalid(path: PathSegment[], clause: string): ConfigProblem {
  return { path, at: "value", text: `: ${clause}` };
}

/** A problem for a field name that is not one of `known`, with the closest one suggested. */
export function unknown(
  path: PathSegment[],
  known: readonly string[],
  what = "is not allowed here",
): ConfigProblem {
  const name = String(path[path.length - 1]);
  const list = known.length > 0 ? `: use one of ${oneOf(known)}` : "";
  return { path, at: "key", text: ` ${what}${list}${suggestion(name, known)}` };
}

/** The clause for a value outside a fixed set, e.g. `"xgb" is not allowed: use one of …`. */
export function notAllowed(value: unknown, allowed: readonly unknown[]): string {
  const use = allowed.length === 1 ? show(allowed[0]) : `one of ${oneOf(allowed)}`;
  const hint = typeof value === "string" ? suggestion(value, allowed.map(String)) : "";
  return `${show(value)} is not allowed: use ${use}${hint}`;
}

/** ` (did you mean "x"?)` when a candidate is close to `input`, otherwise "". */
export function suggestion(input: string, candidates: readonly string[]): string {
  const guess = didYouMean(input, candidates);
  return guess === undefined ? "" : ` (did you mean ${show(guess)}?)`;
}

/** Values as a message shows them: `"a", "b", 3`. */
export function oneOf(values: readonly unknown[]): string {
  return values.map(show).join(", ");
}

/** A value as a message shows it: strings in double quotes, collections by their kind. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "a mapping";
  return String(value);
}

/** A field path as messages and records write it: `evaluation.metric`, `allowed_metrics[2]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = "";
  for (const segment of path) {
    text += typeof segment === "number" ? `[${segment}]` : text === "" ? segment : `.${segment}`;
  }
  return text;
}

/** The value at `path` inside `root`, or `undefined` when any step is absent. */
export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** True for a YAML mapping (a plain object, not a list or null). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Converts zod issues into config problems with mlp's wording. `root` is the document that was
 * parsed (for the offending values) and `schema` the schema it was parsed with (for the field
 * names to suggest when a key is unknown).
 */
export function zodProblems(
  issues: readonly z.core.$ZodIssue[],
  root: unknown,
  schema: z.ZodType,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.map((segment) =>
      typeof segment === "number" ? segment : String(segment)
    );
    const value = valueAt(root, path);
    switch (issue.code) {
      case "unrecognized_keys":
        for (const key of issue.keys) {
          problems.push(unknown([...path, key], knownKeys(schema, path)));
        }
        break;
      case "invalid_type":
        if (path.length === 0) {
          problems.push({
            path: [],
            at: "value",
            text: value === null ? " is empty" : `: ${show(value)} is not a mapping of fields`,
          });
        } else if (value === undefined) {
          const expected = expectedType(schema, path, issue.expected);
          problems.push(missing(path, `write ${typePhrase(expected)}`));
        } else if (issue.expected === "int" && typeof value === "number") {
          problems.push(invalid(path, `${value} is not an integer`));
        } else {
          problems.push(invalid(path, `${show(value)} is not ${typePhrase(issue.expected)}`));
        }
        break;
      case "invalid_value":
        problems.push(
          value === undefined
            ? missing(
              path,
              `use ${issue.values.length === 1 ? "" : "one of "}${oneOf(issue.values)}`,
            )
            : invalid(path, notAllowed(value, issue.values)),
        );
        break;
      case "too_small":
      case "too_big":
        problems.push(invalid(path, sizeClause(issue, value)));
        break;
      default:
        problems.push(invalid(path, issue.message));
    }
  }
  return problems;
}

/** The clause for a number out of range, or a string or list that is too short. */
function sizeClause(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, value: unknown) {
  const small = issue.code === "too_small";
  const bound = Number(small ? issue.minimum : issue.maximum);
  if (issue.origin === "string") return `${show(value)} must not be empty`;
  if (issue.origin === "array") {
    return small ? `must list at least ${bound} item(s)` : `must list at most ${bound} item(s)`;
  }
  if (issue.inclusive === false) {
    return `${show(value)} must be ${small ? "greater" : "less"} than ${bound}`;
  }
  return `${show(value)} is ${small ? "below the minimum" : "above the maximum"} ${bound}`;
}

/** "an integer", "a mapping" … for zod's name of an expected type. */
function typePhrase(expected: string): string {
  const phrases: Record<string, string> = {
    string: "a string",
    number: "a number",
    int: "an integer",
    boolean: "true or false",
    object: "a mapping",
    record: "a mapping",
    array: "a list",
  };
  return phrases[expected] ?? expected;
}

/** Internal definition of a zod schema, as far as describing a field needs it. */
interface SchemaDef {
  type: string;
  format?: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
}

/** The definition of the schema at `path` inside `schema`, wrappers removed. */
function schemaAt(schema: z.ZodType, path: readonly PathSegment[]): SchemaDef | undefined {
  // zod keeps a schema's structure in `_zod.def`, its documented interface for tools built on it.
  const defOf = (s: z.ZodType): SchemaDef =>
    (s as unknown as { _zod: { def: SchemaDef } })._zod.def;
  const unwrap = (s: z.ZodType): SchemaDef => {
    let def = defOf(s);
    while (def.innerType ?? def.in) def = defOf((def.innerType ?? def.in)!);
    return def;
  };
  let def = unwrap(schema);
  for (const segment of path) {
    const next = def.type === "object"
      ? def.shape?.[segment]
      : def.type === "record"
      ? def.valueType
      : def.type === "array"
      ? def.element
      : undefined;
    if (!next) return undefined;
    def = unwrap(next);
  }
  return def;
}

/** The field names of the object schema at `path`; [] when it is not an object. */
function knownKeys(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  const def = schemaAt(schema, path);
  return def?.type === "object" ? Object.keys(def.shape ?? {}) : [];
}

/** zod's name of the type expected at `path` ("int" for integers, which zod reports as numbers). */
function expectedType(schema: z.ZodType, path: readonly PathSegment[], reported: string): string {
  const def = schemaAt(schema, path);
  return def?.type === "number" && def.format?.includes("int") ? "int" : reported;
}

/** A problem with its position resolved and its line rendered. */
interface LocatedProblem {
  position: Position;
  line: string;
}

/**
 * Builds the one `InputError` that reports every problem in `file`, sorted by position: the
 * message names the file and the count, each detail is `file:line:column: field "path" …`.
 */
export function configError(
  file: string,
  doc: YamlDoc,
  problems: readonly ConfigProblem[],
  hint: string,
): InputError {
  const located: LocatedProblem[] = problems.map((problem) => {
    const position = locateProblem(doc, problem);
    const subject = problem.path.length === 0 ? "the file" : `field "${formatPath(problem.path)}"`;
    return {
      position,
      line: `${file}:${position.line}:${position.column}: ${subject}${problem.text}`,
    };
  });
  located.sort((a, b) =>
    a.position.line - b.position.line || a.position.column - b.position.column
  );
  const details = [...new Set(located.map((problem) => problem.line))];
  const count = details.length === 1 ? "1 problem" : `${details.length} problems`;
  return new InputError(`${file} has ${count}`, { details, hint });
}

/** Where a problem is: its node, else the nearest enclosing node that exists, else line 1. */
function locateProblem(doc: YamlDoc, problem: ConfigProblem): Position {
  if (problem.at === "key") {
    const key = doc.locateKey(problem.path);
    if (key) return key;
  }
  let path = problem.at === "parent" ? problem.path.slice(0, -1) : problem.path;
  while (true) {
    const position = doc.locate(path);
    if (position) return position;
    if (path.length === 0) return { line: 1, column: 1 };
    path = path.slice(0, -1);
  }
}

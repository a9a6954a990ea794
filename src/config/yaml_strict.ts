/**
 * Strict YAML for mlp's configuration files: one document, YAML 1.2 core schema, unique keys, and
 * only literal values — no anchors, aliases or tags. A config is read by people, agents, auditors
 * and hooks that see one file at a time; a value defined elsewhere by an alias or changed by a tag
 * would make "what this file says" differ from "what mlp ran", so both are refused.
 *
 * @module
 */
import { isCollection, isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from "yaml";
import type { Document, Node, YAMLError } from "yaml";
import { InputError } from "../errors.ts";
import type { Location } from "../errors.ts";

/** A 1-based position in a file. */
export interface Position {
  line: number;
  column: number;
}

/** A segment of a path into a YAML document: a mapping key or a list index. */
export type PathSegment = string | number;

/** A parsed YAML document: its plain value and the positions of its nodes. */
export interface YamlDoc {
  /** The document as plain JavaScript values (objects, arrays, strings, numbers, booleans, null). */
  value: unknown;
  /** Position of the value at `path` (the whole document for `[]`); `undefined` when absent. */
  locate(path: readonly PathSegment[]): Position | undefined;
  /** Position of the key of the mapping entry at `path`; `undefined` when absent or not a key. */
  locateKey(path: readonly PathSegment[]): Position | undefined;
}

interface Problem {
  offset: number;
  message: string;
  hint?: string;
}

/**
 * Parses `text` as one strict YAML document.
 *
 * @param text The file's contents.
 * @param file The path to name in messages (project-relative where possible).
 * @throws {InputError} for syntax errors, duplicate keys, anchors, aliases, tags, non-scalar keys
 * and multiple documents, with the location of the first problem and the others as details.
 *
 * @example Usage
 * ```ts
 * import { parseYamlStrict } from "./yaml_strict.ts";
 * const doc = parseYamlStrict("model_type: xgboost\n", "configs/experiment.yaml");
 * doc.value; // => { model_type: "xgboost" }
 * doc.locate(["model_type"]); // => { line: 1, column: 13 }
 * ```
 */
export function parseYamlStrict(text: string, file: string): YamlDoc {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    uniqueKeys: true,
    prettyErrors: true,
    lineCounter,
    version: "1.2",
    schema: "core",
  });
  const problems = [...doc.errors.map(yamlErrorProblem(doc)), ...literalOnlyProblems(doc, text)];
  if (problems.length > 0) {
    problems.sort((a, b) => a.offset - b.offset);
    const at = (offset: number): Location => {
      const { line, col } = lineCounter.linePos(offset);
      return { file, line: Math.max(line, 1), column: col };
    };
    const [first, ...rest] = problems;
    throw new InputError(first.message, {
      location: at(first.offset),
      details: rest.map((problem) => {
        const { line, column } = at(problem.offset);
        return `${file}:${line}:${column}: ${problem.message}`;
      }),
      hint: first.hint ?? "fix the YAML syntax at the position shown",
    });
  }
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: Math.max(line, 1), column: col };
  };
  return {
    value: doc.toJS(),
    locate(path) {
      const node = path.length === 0 ? doc.contents : findEntry(doc, path)?.value;
      return node?.range ? position(node.range[0]) : undefined;
    },
    locateKey(path) {
      const key = findEntry(doc, path)?.key;
      return key?.range ? position(key.range[0]) : undefined;
    },
  };
}

/** Turns one of the parser's errors into a problem with a message in mlp's style. */
function yamlErrorProblem(doc: Document.Parsed): (error: YAMLError) => Problem {
  return (error) => {
    const offset = error.pos[0];
    if (error.code === "DUPLICATE_KEY") {
      const key = JSON.stringify(keyAt(doc, offset) ?? "");
      return {
        offset,
        message: `Duplicate key ${key}: a key may appear only once in a mapping`,
        hint: "remove or merge the repeated entries",
      };
    }
    if (error.code === "MULTIPLE_DOCS") {
      return {
        offset,
        message: "More than one YAML document: a config file holds exactly one",
        hint: 'remove the "---" separator and everything after it',
      };
    }
    // The parser's message ends with " at line L, column C:" and a source excerpt; mlp prints the
    // location itself, so keep only the first sentence.
    const first = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    return { offset, message: `Invalid YAML: ${first}` };
  };
}

/** Finds anchors, aliases, explicit tags and non-scalar keys, which configs may not use. */
function literalOnlyProblems(doc: Document.Parsed, text: string): Problem[] {
  const problems: Problem[] = [];
  const add = (offset: number, message: string) =>
    problems.push({ offset, message, hint: "write every value literally where it is used" });
  visit(doc, {
    Alias(_key, node) {
      add(
        node.range?.[0] ?? 0,
        `Alias "*${node.source}" is not allowed: config values must be written literally`,
      );
    },
    Node(_key, node) {
      const start = node.range?.[0] ?? 0;
      if (node.anchor) {
        const offset = text.lastIndexOf(`&${node.anchor}`, start);
        add(
          Math.max(offset, 0),
          `Anchor "&${node.anchor}" is not allowed: config values must be written literally`,
        );
      }
      if (node.tag) {
        const { offset, source } = tagToken(text, start);
        add(offset, `Tag "${source}" is not allowed: config values are plain YAML without tags`);
      }
    },
    Pair(_key, pair) {
      if (isCollection(pair.key)) {
        add(
          pair.key.range?.[0] ?? 0,
          "Only plain scalar keys are allowed: a mapping or list cannot be a key",
        );
      }
    },
  });
  return problems;
}

/**
 * The tag written before the node that starts at `start`, as in the source (`!!str`, `!secret`):
 * the parser keeps only the resolved tag and the position of the value after it.
 */
function tagToken(text: string, start: number): { offset: number; source: string } {
  let offset = text.lastIndexOf("!", start - 1);
  while (offset > 0 && !/[\s,[\]{}]/.test(text[offset - 1])) offset--;
  const source = text.slice(offset).match(/^\S+/)?.[0] ?? "!";
  return { offset: Math.max(offset, 0), source };
}

/** The text of the mapping key that starts at `offset`, if there is one. */
function keyAt(doc: Document.Parsed, offset: number): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        found = String(pair.key.value);
        return visit.BREAK;
      }
    },
  });
  return found;
}

/** Walks `path` through the document and returns the key and value nodes it ends at. */
function findEntry(
  doc: Document.Parsed,
  path: readonly PathSegment[],
): { key?: Node; value?: Node } | undefined {
  let current: unknown = doc.contents;
  let entry: { key?: Node; value?: Node } | undefined;
  for (const segment of path) {
    if (isMap(current)) {
      const pair = current.items.find((item) =>
        isScalar(item.key) && String(item.key.value) === String(segment)
      );
      if (!pair) return undefined;
      entry = { key: pair.key as Node, value: (pair.value ?? undefined) as Node | undefined };
    } else if (isSeq(current) && typeof segment === "number") {
      const item = current.items[segment];
      if (item === undefined) return undefined;
      entry = { value: item as Node };
    } else {
      return undefined;
    }
    current = entry.value;
  }
  return entry;
}

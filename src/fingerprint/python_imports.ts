/**
 * Which modules a Python source file imports, read from its tokens: enough to follow
 * `src/features.py` to every project-local module that can change what it computes.
 *
 * Tokens come from the training guard's hand-written tokenizer (`src/guard/python_tokens.ts`),
 * so comments, strings and docstrings never count as imports. A tokenizer rather than a parser:
 * no Python parser on npm is worth a dependency for this, and asking Python's own `ast` would
 * spawn an interpreter (~50 ms and more) on every run and merge check.
 *
 * Seen: `import a.b`, `import a as x, b`, `from a import b`, `from . import x`,
 * `from ..m import (y, z)` over several lines, and any of these inside functions, `try` blocks or
 * after `if …:` on one line. Not seen: imports by string (`importlib.import_module(name)`).
 *
 * @module
 */
import { type Token, tokenizePython } from "../guard/python_tokens.ts";

/** The module whose source is read: its dotted name and whether it is a package `__init__`. */
export interface ModuleName {
  /** Dotted module name, e.g. `features` or `helpers.dates`. */
  name: string;
  /** True for a package's `__init__.py` (relative imports then resolve inside it). */
  isPackage: boolean;
}

/**
 * Returns every absolute module name an import in `source` may load, sorted: each imported
 * module, its parent packages (importing `a.b` runs `a/__init__.py`), and for
 * `from a import b` also `a.b`, because `b` may be a submodule. Relative imports are resolved
 * against `module`'s package; one that climbs above the top level is dropped (Python refuses it).
 *
 * @example Usage
 * ```ts
 * import { importedModules } from "./python_imports.ts";
 * importedModules("import numpy as np\nfrom .dates import parse  # import os\n", {
 *   name: "helpers.util",
 *   isPackage: false,
 * });
 * // => ["helpers", "helpers.dates", "helpers.dates.parse", "numpy"]
 * ```
 */
export function importedModules(source: string, module: ModuleName): string[] {
  const found = new Set<string>();
  const addWithParents = (dotted: string) => {
    const parts = dotted.split(".");
    for (let i = 1; i <= parts.length; i++) found.add(parts.slice(0, i).join("."));
  };
  for (const statement of importStatements(tokenizePython(source))) {
    const base = statement.level === 0
      ? statement.module
      : resolveRelative(module, statement.level, statement.module);
    if (base === undefined) continue;
    // `import a.b` has no base module; its names are already absolute.
    if (base !== "") addWithParents(base);
    for (const name of statement.names) {
      if (name === "*") continue;
      addWithParents(base === "" ? name : `${base}.${name}`);
    }
  }
  return [...found].sort();
}

/** One import statement: `import a.b` is `{level 0, module "", names ["a.b"]}`. */
interface ImportStatement {
  /** Number of leading dots of a `from` import; 0 for absolute. */
  level: number;
  /** The module after `from` (may be "" for `from . import x`); "" for `import`. */
  module: string;
  /** The imported names (dotted for `import`), aliases dropped. */
  names: string[];
}

/** Finds every import statement in a token stream. */
function importStatements(tokens: readonly Token[]): ImportStatement[] {
  const statements: ImportStatement[] = [];
  let depth = 0;
  let atStart = true;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const startsStatement = atStart;
    atStart = false;
    if (token.kind === "newline") {
      depth = 0;
      atStart = true;
      continue;
    }
    if (token.kind === "op") {
      if ("([{".includes(token.value)) depth++;
      if (")]}".includes(token.value)) depth = Math.max(0, depth - 1);
      // `;` separates statements; `:` at depth 0 ends a compound header (`try: import x`).
      if (depth === 0 && (token.value === ";" || token.value === ":")) atStart = true;
      continue;
    }
    if (!startsStatement || token.kind !== "name") continue;
    if (token.value === "import") {
      const names: string[] = [];
      let j = i + 1;
      while (j < tokens.length) {
        const [dotted, after] = readDotted(tokens, j);
        if (dotted === "") break;
        names.push(dotted);
        j = skipAlias(tokens, after);
        if (!isOp(tokens[j], ",")) break;
        j++;
      }
      statements.push({ level: 0, module: "", names });
    } else if (token.value === "from") {
      let j = i + 1;
      let level = 0;
      while (isOp(tokens[j], ".")) {
        level++;
        j++;
      }
      // `from . import x`: the keyword is a name token, not a module name.
      const [module, after] = isName(tokens[j], "import") ? ["", j] : readDotted(tokens, j);
      j = after;
      if (!isName(tokens[j], "import")) continue;
      j++;
      const parenthesised = isOp(tokens[j], "(");
      if (parenthesised) j++;
      const names: string[] = [];
      while (j < tokens.length) {
        if (isOp(tokens[j], "*")) {
          names.push("*");
          break;
        }
        if (tokens[j].kind !== "name") break;
        names.push(tokens[j].value);
        j = skipAlias(tokens, j + 1);
        if (!isOp(tokens[j], ",")) break;
        j++;
      }
      statements.push({ level, module, names });
    }
  }
  return statements;
}

/** Reads `name(.name)*` from index `i`; returns it ("" if none) and the index after it. */
function readDotted(tokens: readonly Token[], i: number): [string, number] {
  if (tokens[i]?.kind !== "name") return ["", i];
  let dotted = tokens[i].value;
  let j = i + 1;
  while (isOp(tokens[j], ".") && tokens[j + 1]?.kind === "name") {
    dotted += `.${tokens[j + 1].value}`;
    j += 2;
  }
  return [dotted, j];
}

/** Skips `as alias` at index `i`, if present. */
function skipAlias(tokens: readonly Token[], i: number): number {
  return isName(tokens[i], "as") ? i + 2 : i;
}

function isName(token: Token | undefined, value: string): boolean {
  return token?.kind === "name" && token.value === value;
}

function isOp(token: Token | undefined, value: string): boolean {
  return token?.kind === "op" && token.value === value;
}

/**
 * Resolves `from <level dots><module> import …` inside `from` to an absolute module name, or
 * undefined when the import climbs above the top-level package.
 */
function resolveRelative(from: ModuleName, level: number, module: string): string | undefined {
  const packageParts = from.name.split(".");
  if (!from.isPackage) packageParts.pop();
  if (level - 1 >= packageParts.length) return undefined;
  const base = packageParts.slice(0, packageParts.length - (level - 1));
  return [...base, ...(module === "" ? [] : [module])].join(".");
}

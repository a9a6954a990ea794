/**
 * The import statements of one Python source, for the training guard: which local names are
 * bound to mlflow (`import mlflow as m`, `from mlflow import log_metric as lm`), which names an
 * import binds at all (so `from re import compile` is not the builtin), and which names are
 * imported from anywhere. Pure.
 *
 * @module
 */
import type { Token } from "./python_tokens.ts";

/** One name a `from … import …` statement imports. */
export interface ImportedName {
  /** The dotted module (`sklearn.model_selection`, `.` for a relative import). */
  module: string;
  name: string;
  /** The token of `name` in the statement. */
  token: Token;
}

/** What the import statements of one source bind. */
export interface Imports {
  /** Local name → the mlflow dotted path it is bound to (`m` → `mlflow`, `lm` → `mlflow.log_metric`). */
  aliases: Map<string, string>;
  /** `from mlflow import *` was seen: bare `start_run` / `log_*` names are mlflow's. */
  wildcard: boolean;
  /** Every local name an import binds, whatever the module. */
  bound: Set<string>;
  /** Every name imported with `from … import`, in source order. */
  fromImports: ImportedName[];
  /** Index of the first token of each import statement → index of its last token. */
  statements: Map<number, number>;
}

/**
 * Reads every `import …` and `from … import …` statement, wherever it is (functions too).
 *
 * @param inherited mlflow aliases already bound where this source runs (the module around an
 *   `exec` string); `mlflow` itself is always mlflow, imported or not (a parameter, a global).
 */
export function collectImports(
  tokens: readonly Token[],
  inherited: ReadonlyMap<string, string> = new Map(),
): Imports {
  const aliases = new Map([["mlflow", "mlflow"], ...inherited]);
  const statements = new Map<number, number>();
  const bound = new Set<string>();
  const fromImports: ImportedName[] = [];
  let wildcard = false;
  const bind = (name: string, path: string) => {
    bound.add(name);
    if (path.split(".")[0] === "mlflow") aliases.set(name, path);
    else aliases.delete(name);
  };

  for (let i = 0; i < tokens.length; i++) {
    const previous = tokens[i - 1];
    const atStatementStart = previous === undefined || previous.kind === "newline" ||
      isOp(previous, ";") || isOp(previous, ":");
    if (!atStatementStart || tokens[i].kind !== "name") continue;
    const keyword = tokens[i].value;
    if (keyword !== "import" && keyword !== "from") continue;

    let j = i + 1;
    const dotted = (): string => {
      let path = "";
      while (isOp(tokens[j], ".")) {
        path += ".";
        j++;
      }
      const first = nameAt(tokens, j);
      if (!first || first === "import") return path;
      path += first;
      j++;
      while (isOp(tokens[j], ".") && tokens[j + 1]?.kind === "name") {
        path += `.${tokens[j + 1].value}`;
        j += 2;
      }
      return path;
    };
    const alias = (): string | undefined => {
      if (nameAt(tokens, j) !== "as") return undefined;
      j += 2;
      return tokens[j - 1]?.value;
    };
    const atEnd = () =>
      !tokens[j] || tokens[j].kind === "newline" || isOp(tokens[j], ";") || isOp(tokens[j], ")");

    if (keyword === "import") {
      while (!atEnd()) {
        const module = dotted();
        if (!module) break;
        const as = alias();
        if (as) bind(as, module);
        else bind(module.split(".")[0], module.split(".")[0]);
        if (isOp(tokens[j], ",")) j++;
        else break;
      }
    } else {
      const module = dotted();
      if (nameAt(tokens, j) !== "import") continue;
      j++;
      if (isOp(tokens[j], "(")) j++;
      while (!atEnd()) {
        if (isOp(tokens[j], "*")) {
          if (module.split(".")[0] === "mlflow") wildcard = true;
          j++;
          break;
        }
        const name = nameAt(tokens, j);
        if (!name) break;
        fromImports.push({ module, name, token: tokens[j] });
        j++;
        bind(alias() ?? name, `${module}.${name}`);
        if (isOp(tokens[j], ",")) j++;
        else break;
      }
      if (isOp(tokens[j], ")")) j++;
    }
    statements.set(i, j - 1);
  }
  return { aliases, wildcard, bound, fromImports, statements };
}

function isOp(token: Token | undefined, value: string): boolean {
  return token?.kind === "op" && token.value === value;
}

function nameAt(tokens: readonly Token[], index: number): string {
  const token = tokens[index];
  return token?.kind === "name" ? token.value : "";
}

/**
 * The training guard (plan §6.4): finds training and MLflow logging in Python code outside the
 * approved entrypoint, so a commit that trains or logs on its own can be refused.
 *
 * It works on tokens, not text, so comments, strings and docstrings never trigger it, and it
 * follows import statements, so `import mlflow as m` / `from mlflow import log_metric as lm` are
 * caught through their aliases. Pure: the hook reads the staged files and passes their text in.
 *
 * @module
 */
import { type Token, tokenizePython } from "./python_tokens.ts";

/** One place in a Python file where training or MLflow logging happens. */
export interface Finding {
  /** Project-relative path of the file. */
  file: string;
  /** 1-based line and column of the call. */
  line: number;
  column: number;
  /** What was found: `.fit(`, `.train(`, `.partial_fit(`, the resolved MLflow name, or `getattr(mlflow, …)`. */
  pattern: string;
  /** The source line, trimmed. */
  text: string;
}

/** Method names whose call means "training happens here" (plan §6.4). */
const TRAINING_METHODS = new Set(["fit", "train", "partial_fit"]);

/** Folders whose files may train or use MLflow (plan §6.4: `tests/`, `scripts/`). */
const EXCLUDED_FOLDERS = ["tests/", "scripts/"];

/**
 * Whether the training guard scans the file at this project-relative path: every `.py` file and
 * Jupyter notebook except those under `tests/` and `scripts/` (plan §6.4; `*.md` files are not
 * Python and `run_experiment.py` is mlp itself, so in a client project nothing else is excluded).
 */
export function isGuardedPath(path: string): boolean {
  const normalized = path.replace(/^(\.\/)+/, "");
  if (!normalized.endsWith(".py") && !normalized.endsWith(".ipynb")) return false;
  return !EXCLUDED_FOLDERS.some((folder) => normalized.startsWith(folder));
}

/**
 * Finds every training call (`.fit(`, `.train(`, `.partial_fit(`) and every use of
 * `mlflow.start_run` / `mlflow.log_*` (through any alias, or `getattr` on the module) in
 * `source`, in source order.
 *
 * @example Usage
 * ```ts
 * import { scanTrainingCalls } from "./training_guard.ts";
 * scanTrainingCalls("from mlflow import log_metric as lm\nlm('auc', 1)\n", "src/x.py");
 * // => [{ file: "src/x.py", line: 2, column: 1, pattern: "mlflow.log_metric", text: "lm('auc', 1)" }]
 * ```
 */
export function scanTrainingCalls(source: string, file: string): Finding[] {
  const tokens = tokenizePython(source);
  const lines = source.split(/\r\n|\r|\n/);
  const imports = collectMlflowImports(tokens);
  const findings: Finding[] = [];
  const found = (token: Token, pattern: string) =>
    findings.push({
      file,
      line: token.line,
      column: token.column,
      pattern,
      text: (lines[token.line - 1] ?? "").trim(),
    });

  for (let i = 0; i < tokens.length; i++) {
    if (imports.statements.has(i)) {
      i = imports.statements.get(i)!;
      continue;
    }
    const token = tokens[i];
    if (
      isOp(token, ".") && TRAINING_METHODS.has(nameAt(tokens, i + 1)) && isOp(tokens[i + 2], "(")
    ) {
      found(token, `.${tokens[i + 1].value}(`);
      continue;
    }
    if (token.kind !== "name" || isOp(tokens[i - 1], ".")) continue;
    if (
      token.value === "getattr" && isOp(tokens[i + 1], "(") &&
      imports.aliases.has(nameAt(tokens, i + 2))
    ) {
      found(token, "getattr(mlflow, …)");
      continue;
    }
    const chain = [token.value];
    for (let j = i; isOp(tokens[j + 1], ".") && tokens[j + 2]?.kind === "name"; j += 2) {
      chain.push(tokens[j + 2].value);
    }
    const resolved = resolveMlflowName(chain, imports);
    if (resolved !== undefined && isLoggingName(resolved)) found(token, resolved);
  }
  return findings;
}

/** The names that refer to mlflow in one file, and where its import statements are. */
interface MlflowImports {
  /** Local name → the mlflow dotted path it is bound to (`m` → `mlflow`, `lm` → `mlflow.log_metric`). */
  aliases: Map<string, string>;
  /** `from mlflow import *` was seen: bare `start_run` / `log_*` names are mlflow's. */
  wildcard: boolean;
  /** Index of the first token of each import statement → index of its last token. */
  statements: Map<number, number>;
}

/** Reads every `import …` and `from … import …` statement, wherever it is (functions too). */
function collectMlflowImports(tokens: Token[]): MlflowImports {
  // `mlflow` written without an import (a parameter, a global set elsewhere) is still mlflow.
  const aliases = new Map([["mlflow", "mlflow"]]);
  const statements = new Map<number, number>();
  let wildcard = false;
  const bind = (name: string, path: string) => {
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
        j++;
        bind(alias() ?? name, `${module}.${name}`);
        if (isOp(tokens[j], ",")) j++;
        else break;
      }
      if (isOp(tokens[j], ")")) j++;
    }
    statements.set(i, j - 1);
  }
  return { aliases, wildcard, statements };
}

/** The mlflow dotted name a chain like `m.sklearn.log_model` refers to, if it is mlflow's. */
function resolveMlflowName(chain: string[], imports: MlflowImports): string | undefined {
  const [root, ...rest] = chain;
  const bound = imports.aliases.get(root);
  if (bound !== undefined) return [bound, ...rest].join(".");
  if (imports.wildcard && chain.length === 1 && isLoggingName(`mlflow.${root}`)) {
    return `mlflow.${root}`;
  }
  return undefined;
}

/** `mlflow.start_run`, `mlflow.log_metric`, `mlflow.sklearn.log_model`, … */
function isLoggingName(path: string): boolean {
  const parts = path.split(".");
  const last = parts.at(-1)!;
  return parts.length > 1 && parts[0] === "mlflow" &&
    (last === "start_run" || last.startsWith("log_"));
}

function isOp(token: Token | undefined, value: string): boolean {
  return token?.kind === "op" && token.value === value;
}

function nameAt(tokens: Token[], index: number): string {
  const token = tokens[index];
  return token?.kind === "name" ? token.value : "";
}

/**
 * The training guard (plan §6.4): finds training and MLflow logging in Python code outside the
 * approved entrypoint, so a commit that trains or logs on its own can be refused. It is a
 * deterrent that makes stepping around `mlp run` deliberate; the sandbox of `mlp run` is the
 * boundary.
 *
 * It works on tokens, not text, so comments, strings and docstrings never trigger it, and it
 * reads identifiers as Python does (NFKC: `model.ｆｉｔ` is `model.fit`). Besides calls it finds
 * what reaches them another way: import aliases (`import mlflow as m`, `from xgboost import
 * train`), methods taken as values (`f = model.fit`, `partial(model.fit)`), looked up by name
 * (`getattr(model, "fit")`), code in strings run by `exec`/`eval`/`compile` (and code those run
 * that it cannot read), mlflow imported by name, MlflowClient's logging methods and
 * scikit-learn's fitting functions (`cross_val_score`). Pure: callers pass the text in.
 *
 * @module
 */
import { collectImports, type Imports } from "./python_imports.ts";
import { constantString } from "./python_strings.ts";
import { type Token, tokenizePython } from "./python_tokens.ts";

/**
 * What a finding is: training, MLflow logging, or code the guard cannot read (which could be
 * either), each with its own advice.
 */
export type FindingKind = "training" | "mlflow" | "unreadable";

/** One place in a Python file where training or MLflow logging happens. */
export interface Finding {
  /** Project-relative path of the file. */
  file: string;
  /** 1-based line and column of the call. */
  line: number;
  column: number;
  /** What matched: `.fit(`, `.fit`, `getattr(…, "fit")`, the resolved MLflow name, `exec(…)`, … */
  pattern: string;
  kind: FindingKind;
  /** The finding in words, as messages give it: `training call ".fit(" outside \`mlp run\``. */
  what: string;
  /** The source line, trimmed. */
  text: string;
}

/** Method names whose call means "training happens here" (plan §6.4, and scikit-learn's). */
const TRAINING_METHODS = new Set(["fit", "train", "partial_fit", "fit_predict", "fit_transform"]);

/**
 * The training methods that name nothing else, so any reference to them counts (`f = m.fit`).
 * `train` is also a common name for a training split (`split.train`): it counts when called,
 * when its alias is called, and inside `partial`.
 */
const ONLY_METHODS = new Set(["fit", "partial_fit", "fit_predict", "fit_transform"]);

/** scikit-learn functions that fit the estimator they are given. */
const FITTING_FUNCTIONS = new Set([
  "cross_val_score",
  "cross_validate",
  "cross_val_predict",
  "learning_curve",
  "validation_curve",
  "permutation_test_score",
]);

/** Builtins that run code given as text, and the modules they are reached through. */
const CODE_BUILTINS = new Set(["exec", "eval", "compile"]);
const BUILTINS_MODULES = new Set(["builtins", "__builtins__"]);
/** IPython's own way to run a cell or magic: `get_ipython().run_line_magic("time", "…")`. */
const IPYTHON_RUNNERS = new Set(["run_cell", "run_line_magic", "run_cell_magic"]);

/** Import machinery that loads code from a file by path, whatever its name. */
const FILE_LOADERS = new Set([
  "SourceFileLoader",
  "SourcelessFileLoader",
  "spec_from_file_location",
  "run_path",
  "load_source",
  "load_compiled",
  "zipimporter",
]);

/** Functions that look an attribute up by its name given as a string. */
const LOOKUPS = new Set(["getattr", "__getattribute__", "methodcaller", "attrgetter"]);
/** Functions that import a module by its name given as a string. */
const IMPORTERS = new Set(["__import__", "import_module"]);

/**
 * MLflow functions and MlflowClient methods that write to a run, an experiment or the registry
 * (besides every `log_*`).
 */
const MLFLOW_WRITES = new Set([
  "start_run",
  "end_run",
  "create_run",
  "update_run",
  "set_terminated",
  "delete_run",
  "restore_run",
  "set_tag",
  "set_tags",
  "delete_tag",
  "set_experiment",
  "set_experiment_tag",
  "set_experiment_tags",
  "create_experiment",
  "delete_experiment",
  "rename_experiment",
  "autolog",
  "register_model",
  "create_registered_model",
  "create_model_version",
  "update_registered_model",
  "update_model_version",
  "set_registered_model_tag",
  "set_model_version_tag",
  "set_registered_model_alias",
  "transition_model_version_stage",
  "create_logged_model",
  "finalize_logged_model",
  "set_logged_model_tags",
]);

/** Every name some rule looks at. */
const RULE_NAMES = new Set([
  ...TRAINING_METHODS,
  ...FITTING_FUNCTIONS,
  ...CODE_BUILTINS,
  ...IPYTHON_RUNNERS,
  ...FILE_LOADERS,
  ...LOOKUPS,
  ...IMPORTERS,
  ...MLFLOW_WRITES,
  "MlflowClient",
]);

/** Python keywords that can stand before `[`, which then opens a list, not a subscript. */
const KEYWORDS = new Set([
  "and",
  "assert",
  "await",
  "del",
  "elif",
  "else",
  "for",
  "from",
  "if",
  "in",
  "is",
  "lambda",
  "not",
  "or",
  "return",
  "while",
  "with",
  "yield",
]);

/** How deep strings run by `exec` inside strings run by `exec` are read. */
const MAX_DEPTH = 4;

/** A finding before the file and line text are attached. */
interface Hit {
  line: number;
  column: number;
  pattern: string;
  kind: FindingKind;
  /** The finding in words, without "outside `mlp run`". */
  what: string;
}

/**
 * Finds every training call, every use of MLflow's logging (through any alias, or `getattr` on
 * the module) and every way around them listed in the module doc, in `source`, in source order.
 *
 * @example Usage
 * ```ts
 * import { scanTrainingCalls } from "./training_guard.ts";
 * scanTrainingCalls("from mlflow import log_metric as lm\nlm('auc', 1)\n", "src/x.py")[0].what;
 * // => 'MLflow call "mlflow.log_metric" outside `mlp run`'
 * ```
 */
export function scanTrainingCalls(source: string, file: string): Finding[] {
  const lines = source.split(/\r\n|\r|\n/);
  return scanSource(source, new Map(), 0).map((hit) => ({
    file,
    ...hit,
    what: hit.kind === "unreadable" ? hit.what : `${hit.what} outside \`mlp run\``,
    text: (lines[hit.line - 1] ?? "").trim(),
  }));
}

/** The hits in `source`, which runs where `inherited` mlflow aliases are bound. */
function scanSource(source: string, inherited: ReadonlyMap<string, string>, depth: number): Hit[] {
  const tokens = tokenizePython(source);
  const imports = collectImports(tokens, inherited);
  // Names bound by import, def or class are not the builtins; only exec, eval and compile ask.
  let defined: Set<string> | undefined;
  const isDefined = (name: string) =>
    (defined ??= new Set([...imports.bound, ...definedNames(tokens)])).has(name);
  const hits: Hit[] = [];
  // MlflowClient's methods count once the file is known to use it, wherever that shows.
  const clientHits: Hit[] = [];
  let usesClient = false;
  const trainAliases = new Set<string>();
  const hit = (token: Token, kind: FindingKind, pattern: string, what: string) =>
    hits.push({ line: token.line, column: token.column, pattern, kind, what });

  for (const imported of imports.fromImports) {
    const { module, name, token } = imported;
    if (TRAINING_METHODS.has(name) || FITTING_FUNCTIONS.has(name)) {
      const path = module.endsWith(".") ? `${module}${name}` : `${module}.${name}`;
      hit(token, "training", path, `training function "${path}" imported`);
    }
    if (name === "MlflowClient" && module.split(".")[0] === "mlflow") usesClient = true;
  }

  /** Code passed as text to `runner` at the string token `at`: scanned, or unreadable. */
  const runsText = (at: Token, code: string, runner: string) => {
    if (depth >= MAX_DEPTH) {
      hit(at, "unreadable", `${runner}(…)`, `code the guard cannot read, run by "${runner}(…)"`);
      return;
    }
    const spansLines = /[\r\n]/.test(at.value);
    const last = at.line + (at.value.match(/\r\n|\r|\n/g)?.length ?? 0);
    for (const inner of scanSource(code, imports.aliases, depth + 1)) {
      hits.push({
        ...inner,
        line: spansLines ? Math.min(at.line + inner.line - 1, last) : at.line,
        column: at.column,
        what: `${inner.what} in a string run by ${runner}`,
      });
    }
  };

  /** `exec`, `eval` or `compile` at `i`: the string it runs is scanned; anything else refused. */
  const runsCode = (i: number) => {
    const token = tokens[i];
    if (!isOp(tokens[i + 1], "(")) {
      hit(
        token,
        "unreadable",
        token.value,
        `code the guard cannot read, run through "${token.value}"`,
      );
      return;
    }
    const code = constantString(tokens, i + 2);
    if (code === undefined) {
      const pattern = `${token.value}(…)`;
      hit(token, "unreadable", pattern, `code the guard cannot read, run by "${pattern}"`);
    } else {
      runsText(tokens[i + 2], code.value, token.value);
    }
  };

  /** `get_ipython().run_line_magic("time", "model.fit(X)")`: every argument is code. */
  const ipythonRun = (i: number) => {
    const name = tokens[i].value;
    for (const start of argumentStarts(tokens, i + 1)) {
      const code = constantString(tokens, start);
      if (code === undefined) {
        hit(
          tokens[i],
          "unreadable",
          `${name}(…)`,
          `code the guard cannot read, run by "${name}(…)"`,
        );
        return;
      }
      runsText(tokens[start], code.value, name);
    }
  };

  /** A training method's name after a dot at `i`. */
  const trainingMethod = (i: number) => {
    const name = tokens[i].value;
    const dot = tokens[i - 1];
    if (isOp(tokens[i + 1], "(")) {
      hit(dot, "training", `.${name}(`, `training call ".${name}("`);
    } else if (
      ONLY_METHODS.has(name) ||
      (isOp(tokens[i + 1], ".") && nameAt(tokens, i + 2) === "__call__") ||
      isPartialArgument(tokens, i)
    ) {
      hit(dot, "training", `.${name}`, `training method ".${name}" referenced`);
    } else {
      const alias = aliasOf(tokens, i);
      if (alias !== undefined) trainAliases.add(alias);
    }
  };

  /** A call that looks an attribute up by a constant name. */
  const lookup = (i: number) => {
    const name = tokens[i].value;
    for (const start of argumentStarts(tokens, i + 1)) {
      const value = constantString(tokens, start)?.value;
      if (value === undefined) continue;
      const last = value.split(".").at(-1)!;
      const pattern = `${name}(…, "${value}")`;
      if (TRAINING_METHODS.has(last) || FITTING_FUNCTIONS.has(last)) {
        hit(tokens[i], "training", pattern, `training method "${last}" looked up by name`);
      } else if (CODE_BUILTINS.has(value)) {
        hit(tokens[i], "unreadable", pattern, `code the guard cannot read, run through ${pattern}`);
      } else if (isWriteName(value)) {
        clientHits.push(
          at(tokens[i], "mlflow", `MlflowClient.${value}`, `MLflow call "${pattern}"`),
        );
      } else {
        continue;
      }
      return;
    }
  };

  /** `__import__("mlflow")`, `importlib.import_module("mlflow.sklearn")`. */
  const dynamicImport = (i: number) => {
    const module = constantString(tokens, i + 2)?.value;
    if (module?.split(".")[0] !== "mlflow") return;
    const pattern = `${tokens[i].value}("${module}")`;
    hit(tokens[i], "mlflow", pattern, `MLflow imported by name with ${pattern}`);
  };

  /** A subscript by a constant: `sys.modules["mlflow"]`, `vars(type(m))["fit"]`. */
  const subscript = (i: number) => {
    const before = tokens[i - 1];
    const isSubscript = before !== undefined &&
      ((before.kind === "name" && !KEYWORDS.has(before.value)) || isOp(before, ")") ||
        isOp(before, "]"));
    const key = isSubscript ? constantString(tokens, i + 1) : undefined;
    if (key === undefined || !isOp(tokens[key.end], "]")) return;
    const assigned = isOp(tokens[key.end + 1], "=") && !isOp(tokens[key.end + 2], "=");
    if (before.value === "modules" && key.value.split(".")[0] === "mlflow") {
      hit(before, "mlflow", `modules["${key.value}"]`, `MLflow taken from sys.modules`);
    } else if (ONLY_METHODS.has(key.value) && !assigned) {
      hit(
        tokens[i],
        "training",
        `["${key.value}"]`,
        `training method "${key.value}" looked up by name`,
      );
    }
  };

  /**
   * A bare name at `i` that starts a chain through an mlflow alias (`m.sklearn.log_model`), or
   * `getattr` on one: the index of the chain's last token, or `undefined` when it is not mlflow.
   */
  const mlflowChain = (i: number): number | undefined => {
    const token = tokens[i];
    if (
      token.value === "getattr" && isOp(tokens[i + 1], "(") &&
      imports.aliases.has(nameAt(tokens, i + 2))
    ) {
      hit(token, "mlflow", "getattr(mlflow, …)", 'MLflow call "getattr(mlflow, …)"');
      return i;
    }
    const chain = [token.value];
    let j = i;
    for (; isOp(tokens[j + 1], ".") && tokens[j + 2]?.kind === "name"; j += 2) {
      chain.push(tokens[j + 2].value);
    }
    const resolved = resolveMlflowName(chain, imports);
    if (resolved === undefined) return undefined;
    if (isMlflowWrite(resolved)) hit(token, "mlflow", resolved, `MLflow call "${resolved}"`);
    if (resolved.split(".").includes("MlflowClient")) usesClient = true;
    return j;
  };

  for (let i = 0; i < tokens.length; i++) {
    const statementEnd = imports.statements.get(i);
    if (statementEnd !== undefined) {
      i = statementEnd;
      continue;
    }
    const token = tokens[i];
    if (token.kind !== "name") {
      if (token.kind === "op" && token.value === "[") subscript(i);
      continue;
    }
    const name = token.value;
    const dotted = isOp(tokens[i - 1], ".");
    // Most names match no rule: skip them before any other work.
    const mayBeMlflow = imports.wildcard || imports.aliases.has(name) || trainAliases.has(name);
    if (!RULE_NAMES.has(name) && !name.startsWith("log_") && (dotted || !mayBeMlflow)) continue;
    const called = isOp(tokens[i + 1], "(");
    if (name === "MlflowClient") usesClient = true;
    if (dotted) {
      if (TRAINING_METHODS.has(name)) {
        trainingMethod(i);
        continue;
      }
      if (isWriteName(name)) {
        clientHits.push(at(tokens[i - 1], "mlflow", `MlflowClient.${name}`, ""));
      }
      if (CODE_BUILTINS.has(name) && BUILTINS_MODULES.has(nameAt(tokens, i - 2))) {
        runsCode(i);
        continue;
      }
      if (called && IPYTHON_RUNNERS.has(name)) {
        ipythonRun(i);
        continue;
      }
    } else {
      const keyword = nameAt(tokens, i - 1);
      const assigned = isOp(tokens[i + 1], "=") && !isOp(tokens[i + 2], "=");
      if (keyword === "def" || keyword === "class" || assigned) continue;
      if (trainAliases.has(name) && called) {
        hit(token, "training", ".train", `training method ".train" called through "${name}"`);
        continue;
      }
      if (CODE_BUILTINS.has(name) && !isDefined(name)) {
        runsCode(i);
        continue;
      }
      const chainEnd = mlflowChain(i);
      if (chainEnd !== undefined) {
        i = chainEnd;
        continue;
      }
    }
    if (FITTING_FUNCTIONS.has(name)) {
      hit(token, "training", name, `training call "${name}"`);
    } else if (FILE_LOADERS.has(name)) {
      hit(token, "unreadable", name, `code the guard cannot read, loaded by "${name}"`);
    } else if (called && LOOKUPS.has(name)) {
      lookup(i);
    } else if (called && IMPORTERS.has(name)) {
      dynamicImport(i);
    }
  }

  if (usesClient) {
    hits.push(...clientHits.map((h) => ({ ...h, what: `MLflow call "${h.pattern}"` })));
  }
  return hits.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** A hit at `token`. */
function at(token: Token, kind: FindingKind, pattern: string, what: string): Hit {
  return { line: token.line, column: token.column, pattern, kind, what };
}

/** Names bound by `def` and `class` anywhere in the source. */
function definedNames(tokens: readonly Token[]): string[] {
  const names: string[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) {
    const value = nameAt(tokens, i);
    if ((value === "def" || value === "class") && tokens[i + 1].kind === "name") {
      names.push(tokens[i + 1].value);
    }
  }
  return names;
}

/** The index of the first name of the dotted chain that ends at `i` (`a.b.train` → `a`). */
function chainStart(tokens: readonly Token[], i: number): number {
  let start = i;
  while (isOp(tokens[start - 1], ".") && tokens[start - 2]?.kind === "name") start -= 2;
  return start;
}

/** Whether the chain ending at `i` is the first argument of `partial(…)` / `partialmethod(…)`. */
function isPartialArgument(tokens: readonly Token[], i: number): boolean {
  const start = chainStart(tokens, i);
  const callee = nameAt(tokens, start - 2);
  return isOp(tokens[start - 1], "(") && (callee === "partial" || callee === "partialmethod") &&
    (isOp(tokens[i + 1], ",") || isOp(tokens[i + 1], ")"));
}

/** `name` when the statement is `name = <chain ending at i>`, the chain alone. */
function aliasOf(tokens: readonly Token[], i: number): string | undefined {
  const after = tokens[i + 1];
  if (after !== undefined && after.kind !== "newline" && !isOp(after, ";")) return undefined;
  const start = chainStart(tokens, i);
  const target = tokens[start - 2];
  const before = tokens[start - 3];
  const atStatementStart = before === undefined || before.kind === "newline" || isOp(before, ";");
  return isOp(tokens[start - 1], "=") && target?.kind === "name" && atStatementStart
    ? target.value
    : undefined;
}

/** The index of the first token of each argument of the call whose `(` is at `open`. */
function argumentStarts(tokens: readonly Token[], open: number): number[] {
  const starts: number[] = [];
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind !== "op") continue;
    if ("([{".includes(token.value)) {
      depth++;
      if (depth === 1 && !isOp(tokens[i + 1], ")")) starts.push(i + 1);
    } else if (")]}".includes(token.value)) {
      depth--;
      if (depth === 0) break;
    } else if (depth === 1 && token.value === ",") {
      if (!isOp(tokens[i + 1], ")")) starts.push(i + 1);
    }
  }
  return starts;
}

/** The mlflow dotted name a chain like `m.sklearn.log_model` refers to, if it is mlflow's. */
function resolveMlflowName(chain: string[], imports: Imports): string | undefined {
  const [root, ...rest] = chain;
  const bound = imports.aliases.get(root);
  if (bound !== undefined) return [bound, ...rest].join(".");
  if (imports.wildcard && chain.length === 1 && isMlflowWrite(`mlflow.${root}`)) {
    return `mlflow.${root}`;
  }
  return undefined;
}

/** `mlflow.start_run`, `mlflow.log_metric`, `mlflow.sklearn.log_model`, `mlflow.set_tag`, … */
function isMlflowWrite(path: string): boolean {
  const dot = path.lastIndexOf(".");
  return dot > 0 && path.startsWith("mlflow.") && isWriteName(path.slice(dot + 1));
}

/** A name MLflow writes with: `log_*`, `start_run`, `set_tag`, … */
function isWriteName(name: string): boolean {
  return name.startsWith("log_") || MLFLOW_WRITES.has(name);
}

function isOp(token: Token | undefined, value: string): boolean {
  return token?.kind === "op" && token.value === value;
}

function nameAt(tokens: readonly Token[], index: number): string {
  const token = tokens[index];
  return token?.kind === "name" ? token.value : "";
}

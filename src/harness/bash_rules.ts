/**
 * The rules of the Claude Code hook for the Bash tool: a command may not train outside `mlp run`
 * (`python -c` with a training call, a project script run directly), skip or redirect the git
 * hooks (`--no-verify`, `git commit -n`, `core.hooksPath`, editing git notes or refs, a forced
 * push), clear the variables that tell mlp and the hooks an agent runs them (`env -i`, `env -u`,
 * `unset`, an assignment), or touch production data. Each simple command is judged after
 * stripping wrappers (`env`, `timeout`, `nohup`, `uv run`, …); `bash -c`, `eval` and shell scripts
 * are read and judged too. It is a deterrent for an agent that means well, not a boundary: the
 * sandbox of `mlp run`, the git hooks and `mlp audit` remain. Pure: files come through `readText`.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { AGENT_ENV_VARIABLES } from "../config/reasoning.ts";
import { guardFile } from "../guard/check_file.ts";
import { productionReferences } from "../guard/production_paths.ts";
import { isExcludedPath, isGuardedPath } from "../guard/python_files.ts";
import { scanTrainingCalls } from "../guard/training_guard.ts";
import {
  isExperimentConfig,
  placeRefusals,
  PRODUCTION_HINT,
  projectPath,
} from "./project_files.ts";
import type { Refusal } from "./refusal.ts";
import { type SimpleCommand, simpleCommands } from "./shell_commands.ts";

/** What the Bash rules need to know besides the command. */
export interface BashContext {
  /** The project root, absolute. */
  root: string;
  /** The directory the command runs in, absolute (the hook input's `cwd`). */
  cwd: string;
  /** The text of the file at an absolute path; null when it cannot be read. */
  readText(path: string): string | null;
}

const SUBJECT = "Bash";
/** How deep `bash -c`, `eval` and shell scripts inside each other are read. */
const MAX_DEPTH = 4;

const TRAINING_HINT = "models are trained only by `mlp run --config configs/experiment.yaml`, " +
  "which fits what src/model.py builds: change src/ or the config and run that";
const HOOKS_HINT = "the git hooks run mlp's checks on every commit and merge: run git without " +
  "it, fix what a hook refuses, and never skip or redirect the hooks";
const ENV_HINT = "run the command with the environment Claude Code gives it: mlp and the git " +
  "hooks read these variables to know that an agent runs them";
const WRITE_HINT = "change the file with the Edit or Write tool, which mlp checks before the " +
  "change (protected fields, training calls)";
/** Programs that write the files they are given, and which of their arguments those are. */
const WRITERS: Record<string, "all" | "last" | "in-place"> = {
  tee: "all",
  rm: "all",
  truncate: "all",
  shred: "all",
  touch: "all",
  mv: "all",
  cp: "last",
  install: "last",
  ln: "last",
  rsync: "last",
  sed: "in-place",
  perl: "in-place",
  ruby: "in-place",
};

const PYTHON = /^(?:python[0-9.]*|pythonw|pypy[0-9.]*|ipython[0-9]*)$/;
const SHELLS = new Set(["sh", "bash", "zsh", "dash", "ksh"]);
/** Python options that take a value as the next word. */
const PYTHON_VALUE_OPTIONS = new Set(["-W", "-X", "--check-hash-based-pycs"]);
/** Programs that run the command after their options. */
const WRAPPERS = new Set([
  "command",
  "builtin",
  "exec",
  "nohup",
  "time",
  "nice",
  "timeout",
  "stdbuf",
  "xargs",
  "sudo",
  "doas",
  "chronic",
]);
/** Options of the wrappers that take a value as the next word. */
const WRAPPER_VALUE_OPTIONS = new Set([
  "-n",
  "-s",
  "-k",
  "-i",
  "-o",
  "-e",
  "-I",
  "-L",
  "-P",
  "-d",
  "-E",
  "-a",
  "-u",
  "-g",
  "-C",
]);
/** Runners whose `run` subcommand runs a command in the project's environment. */
const RUNNERS = new Set(["uv", "poetry", "pipenv", "pdm", "hatch", "conda", "mamba", "pixi"]);
/** Options of `uv run` (and the others' `run`) that take a value as the next word. */
const RUN_VALUE_OPTIONS = new Set([
  "--with",
  "--with-editable",
  "--with-requirements",
  "--python",
  "-p",
  "--project",
  "--directory",
  "--package",
  "--group",
  "--extra",
  "--env-file",
  "--index",
  "--default-index",
  "--index-url",
  "--extra-index-url",
  "--find-links",
  "-f",
  "--from",
  "-n",
  "--name",
  "--prefix",
  "-e",
  "--environment",
  "--cache-dir",
  "--config-file",
]);
/** git's own options that take a value as the next word. */
const GIT_VALUE_OPTIONS = new Set([
  "-C",
  "-c",
  "--git-dir",
  "--work-tree",
  "--namespace",
  "--config-env",
  "--super-prefix",
  "--exec-path",
  "--list-cmds",
  "--attr-source",
]);
/** `git commit` short options whose value follows (attached or as the next word). */
const COMMIT_VALUE_FLAGS = new Set(["m", "F", "C", "c", "t", "S", "u"]);
/** `git notes` subcommands that only read. */
const NOTES_READS = new Set(["list", "show", "get-ref"]);
/** Git configuration that decides which hooks run, or which mlp they run. */
const HOOK_CONFIG = /^(?:core\.hookspath|mlp\.path)(?:=|$)/i;

/**
 * Every rule `command` breaks, run from `context.cwd`; empty when it may run.
 *
 * @example Usage
 * ```ts
 * import { bashRefusals } from "./bash_rules.ts";
 * const context = { root: "/p", cwd: "/p", readText: () => null };
 * bashRefusals("git commit --no-verify -m x", context)[0].message;
 * // => '`git commit --no-verify` skips the git hooks'
 * ```
 */
export function bashRefusals(command: string, context: BashContext): Refusal[] {
  const refusals: Refusal[] = [];
  judgeScript(command, context, context.cwd, 0, refusals);
  const seen = new Set<string>();
  return refusals.filter((r) => {
    const key = `${r.message}\n${r.hint}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function judgeScript(
  script: string,
  context: BashContext,
  cwd: string,
  depth: number,
  refusals: Refusal[],
): void {
  if (depth > MAX_DEPTH) {
    refusals.push(refuse(
      `commands nested more than ${MAX_DEPTH} deep (bash -c, eval, scripts) cannot be checked`,
      "run the commands directly",
    ));
    return;
  }
  let dir = cwd;
  for (const simple of simpleCommands(script)) {
    for (const word of [...simple.words, ...simple.targets]) {
      if (touchesProduction(word, dir, context.root)) {
        refusals.push(refuse(`the command names production data: ${word}`, PRODUCTION_HINT));
      }
    }
    refusals.push(...writeRefusals(simple, context.root, dir));
    const judged = judgeCommand(simple, context, dir, depth, refusals);
    if (judged !== undefined) dir = judged;
  }
}

/**
 * Files a command writes that the hook must see change through Edit or Write: what agents may
 * not edit at all, experiment configs (protected fields) and Python files the guard reads.
 */
function writeRefusals(simple: SimpleCommand, root: string, cwd: string): Refusal[] {
  const written = [...simple.writes];
  const words = unwrap(simple.words, []);
  const [program, ...args] = words;
  const kind = WRITERS[program?.split("/").at(-1) ?? ""];
  const files = args.filter((a) => !a.startsWith("-"));
  if (kind === "all") written.push(...files);
  if (kind === "last" && files.length > 0) written.push(files.at(-1)!);
  if (kind === "in-place" && args.some((a) => /^-[a-zA-Z]*i|^--in-place/.test(a))) {
    written.push(...files);
  }
  const refusals: Refusal[] = [];
  for (const file of written) {
    const rel = projectPath(root, resolve(cwd, file));
    if (rel === null) continue;
    const place = placeRefusals(rel);
    if (place.length > 0) {
      refusals.push(
        ...place.map((r) => ({ ...r, subject: SUBJECT })),
      );
    } else if (isExperimentConfig(rel) || isGuardedPath(rel)) {
      refusals.push(
        refuse(`the command writes ${rel}, which mlp checks only in an edit`, WRITE_HINT),
      );
    }
  }
  return refusals;
}

/** Judges one simple command; returns the directory a `cd` moves to, if it is one. */
function judgeCommand(
  simple: SimpleCommand,
  context: BashContext,
  cwd: string,
  depth: number,
  refusals: Refusal[],
): string | undefined {
  const words = unwrap(simple.words, refusals);
  if (words.length === 0) return undefined;
  const [program, ...args] = words;
  const name = program.split("/").at(-1)!;
  const judge = (script: string, dir = cwd) =>
    judgeScript(script, context, dir, depth + 1, refusals);
  if (name === "cd") {
    const target = args.find((a) => !a.startsWith("-"));
    return target === undefined || /^[$~]/.test(target) ? undefined : resolve(cwd, target);
  }
  if (name === "unset" || (name === "export" && args.includes("-n"))) {
    for (const variable of args.filter((a) => isAgentVariable(a))) {
      refusals.push(refuse(`\`${name}\` removes ${variable}`, ENV_HINT));
    }
  }
  if (name === "export" || name === "declare" || name === "typeset" || name === "local") {
    for (const arg of args) checkAssignment(arg, refusals);
  }
  if (name === "eval") {
    judge(args.join(" "));
  } else if (SHELLS.has(name)) {
    judgeShell(args, context, cwd, judge);
  } else if (name === "source" || name === ".") {
    judgeShellFile(args[0], context, cwd, judge);
  } else if (name === "git") {
    refusals.push(...gitRefusals(args));
  } else if (name === "mlflow" && args[0] === "run") {
    refusals.push(refuse("`mlflow run` trains outside `mlp run`", TRAINING_HINT));
  } else if (name === "jupyter" || name === "papermill") {
    refusals.push(...notebookRunRefusals(name, args, context, cwd));
  } else if (PYTHON.test(name)) {
    refusals.push(...pythonRefusals(args, simple.stdinFed, context, cwd));
  } else if (program.includes("/") || /\.(?:py|pyw|ipynb|sh)$/.test(program)) {
    judgeProgramFile(program, args, simple.stdinFed, context, cwd, judge, refusals);
  }
  return undefined;
}

/**
 * The words of the command a wrapper runs: leading assignments, `env` and its options, the
 * wrappers and `uv run` (and its likes) are stripped, and what they do to the environment judged.
 */
function unwrap(words: readonly string[], refusals: Refusal[]): string[] {
  let rest = [...words];
  while (rest.length > 0) {
    const assignment = /^[A-Za-z_][A-Za-z0-9_]*=/.exec(rest[0]);
    if (assignment) {
      checkAssignment(rest[0], refusals);
      rest = rest.slice(1);
      continue;
    }
    const name = rest[0].split("/").at(-1)!;
    if (name === "env") {
      rest = unwrapEnv(rest.slice(1), refusals);
    } else if (WRAPPERS.has(name)) {
      rest = skipOptions(rest.slice(1), WRAPPER_VALUE_OPTIONS);
      // timeout's duration and nice's adjustment come before the command.
      if ((name === "timeout") && rest.length > 0) rest = rest.slice(1);
    } else if (RUNNERS.has(name) && rest[1] === "run") {
      rest = skipOptions(rest.slice(2), RUN_VALUE_OPTIONS);
    } else if (name === "uvx" || (name === "uv" && rest[1] === "tool" && rest[2] === "run")) {
      rest = skipOptions(rest.slice(name === "uvx" ? 1 : 3), RUN_VALUE_OPTIONS);
    } else {
      break;
    }
  }
  return rest;
}

/** `env`'s words after its name: its options judged, the command it runs returned. */
function unwrapEnv(words: readonly string[], refusals: Refusal[]): string[] {
  let i = 0;
  for (; i < words.length; i++) {
    const word = words[i];
    if (word === "-u" || word === "--unset") {
      unsetVariable(words[++i] ?? "", refusals);
    } else if (word.startsWith("--unset=")) {
      unsetVariable(word.slice("--unset=".length), refusals);
    } else if (/^-u./.test(word)) {
      unsetVariable(word.slice(2), refusals);
    } else if (
      word === "-" || word === "--ignore-environment" || /^-[a-zA-Z0-9]*i[a-zA-Z0-9]*$/.test(word)
    ) {
      refusals.push(
        refuse(
          `\`env ${word}\` clears the environment, and with it ${AGENT_ENV_VARIABLES.join(", ")}`,
          ENV_HINT,
        ),
      );
    } else if (word === "-C" || word === "--chdir") {
      i++;
    } else if (word === "-S" || word === "--split-string") {
      return [...(words[i + 1] ?? "").split(/\s+/).filter(Boolean), ...words.slice(i + 2)];
    } else if (word.startsWith("-")) {
      continue;
    } else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) {
      checkAssignment(word, refusals);
    } else {
      break;
    }
  }
  return words.slice(i);
}

function unsetVariable(variable: string, refusals: Refusal[]): void {
  if (isAgentVariable(variable)) {
    refusals.push(refuse(`\`env -u ${variable}\` removes ${variable}`, ENV_HINT));
  }
}

/** An assignment `NAME=value` to a variable mlp or git reads to know who runs them and how. */
function checkAssignment(word: string, refusals: Refusal[]): void {
  const name = word.split("=")[0];
  if (!word.includes("=")) return;
  if (isAgentVariable(name)) {
    refusals.push(refuse(`the command sets ${name}`, ENV_HINT));
  } else if (/^GIT_CONFIG(?:_|$)/.test(name)) {
    refusals.push(refuse(`the command sets ${name}, which can redirect the git hooks`, HOOKS_HINT));
  }
}

function isAgentVariable(name: string): boolean {
  return (AGENT_ENV_VARIABLES as readonly string[]).includes(name);
}

/** The words after the options, where options in `valued` consume the next word. */
function skipOptions(words: readonly string[], valued: ReadonlySet<string>): string[] {
  let i = 0;
  while (i < words.length && words[i].startsWith("-")) {
    if (words[i] === "--") return words.slice(i + 1);
    i += valued.has(words[i]) ? 2 : 1;
  }
  return words.slice(i);
}

/** `bash -c 'script'` is judged as a script, `bash file.sh` as the file's commands. */
function judgeShell(
  args: readonly string[],
  context: BashContext,
  cwd: string,
  judge: (script: string, dir?: string) => void,
): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(arg)) {
      judge(args[i + 1] ?? "");
      return;
    }
    if (arg === "-o" || arg === "+o") {
      i++;
      continue;
    }
    if (!arg.startsWith("-") && !arg.startsWith("+")) {
      judgeShellFile(arg, context, cwd, judge);
      return;
    }
  }
}

function judgeShellFile(
  file: string | undefined,
  context: BashContext,
  cwd: string,
  judge: (script: string, dir?: string) => void,
): void {
  if (file === undefined) return;
  const text = context.readText(resolve(cwd, file));
  if (text !== null) judge(text);
}

/** A program named by its path (`./src/model.py`, `scripts/x.sh`): what it runs is judged. */
function judgeProgramFile(
  program: string,
  args: readonly string[],
  stdinFed: boolean,
  context: BashContext,
  cwd: string,
  judge: (script: string, dir?: string) => void,
  refusals: Refusal[],
): void {
  const path = resolve(cwd, program);
  const text = context.readText(path);
  const firstLine = text?.split("\n", 1)[0] ?? "";
  if (/\.(?:py|pyw|ipynb)$/.test(program) || /^#!.*\b(?:python|pypy|uv)/.test(firstLine)) {
    refusals.push(...pythonRefusals([program, ...args], stdinFed, context, cwd));
  } else if (
    text !== null && (/\.sh$/.test(program) || /^#!.*\b(?:ba|z|da|k)?sh\b/.test(firstLine))
  ) {
    judge(text, dirname(path));
  }
}

/** A Python interpreter's arguments: the code it runs is judged. */
function pythonRefusals(
  args: readonly string[],
  stdinFed: boolean,
  context: BashContext,
  cwd: string,
): Refusal[] {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-c" || (/^-[a-zA-Z]*c/.test(arg) && !arg.startsWith("--"))) {
      const attached = arg.slice(arg.indexOf("c") + 1);
      return codeRefusals(attached !== "" ? attached : args[i + 1] ?? "", "`python -c`");
    }
    if (arg === "-m" || /^-[a-zA-Z]*m/.test(arg) && !arg.startsWith("--")) {
      const attached = arg.slice(arg.indexOf("m") + 1);
      return moduleRefusals(attached !== "" ? attached : args[i + 1] ?? "", args, context, cwd);
    }
    if (arg === "-") return stdinRefusals();
    if (PYTHON_VALUE_OPTIONS.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith("-")) continue;
    return scriptRefusals(arg, context, cwd);
  }
  return stdinFed ? stdinRefusals() : [];
}

/** Jupyter's ways to run code: notebooks are judged as scripts, kernels and servers refused. */
function notebookRunRefusals(
  name: string,
  args: readonly string[],
  context: BashContext,
  cwd: string,
): Refusal[] {
  const sub = name === "papermill" ? "papermill" : args[0];
  if (["notebook", "lab", "server", "console", "kernel", "qtconsole"].includes(sub)) {
    return [refuse(
      `\`jupyter ${sub}\` runs code the hook cannot check`,
      "models are trained only by `mlp run`; test code belongs in tests/, run with " +
        "`uv run pytest tests/`",
    )];
  }
  const runs = sub === "papermill" || sub === "execute" || sub === "run" ||
    (sub === "nbconvert" && args.some((a) => a === "--execute" || a.startsWith("--execute=")));
  if (!runs) return [];
  return args.filter((a) => /\.(?:ipynb|py)$/.test(a)).flatMap((notebook) =>
    scriptRefusals(notebook, context, cwd)
  );
}

/** Code given on the command line: the training guard reads it. */
function codeRefusals(code: string, via: string): Refusal[] {
  const found = scanTrainingCalls(code, via).map((finding) =>
    refuse(`${finding.what} in ${via}: ${finding.text}`, TRAINING_HINT)
  );
  const production = productionReferences("code.py", code).map((problem) =>
    refuse(`${problem.message} in ${via}`, PRODUCTION_HINT)
  );
  return [...found, ...production];
}

function stdinRefusals(): Refusal[] {
  return [refuse(
    "Python reads its code from stdin (a pipe or a here-document), which the hook cannot check",
    "models are trained only by `mlp run`; put other code in a file under scripts/ or tests/ " +
      "and run that file",
  )];
}

/** `python -m module`: a module of the project outside tests/ and scripts/ runs outside mlp. */
function moduleRefusals(
  module: string,
  args: readonly string[],
  context: BashContext,
  cwd: string,
): Refusal[] {
  if (module === "mlflow" && args[args.indexOf(module) + 1] === "run") {
    return [refuse("`mlflow run` trains outside `mlp run`", TRAINING_HINT)];
  }
  const base = module.replaceAll(".", "/");
  for (const candidate of [`${base}.py`, `${base}/__main__.py`]) {
    const path = resolve(cwd, candidate);
    const text = context.readText(path);
    if (text === null) continue;
    const refusals = fileRefusals(path, text, context, `\`python -m ${module}\``);
    if (refusals.length > 0) return refusals;
  }
  return [];
}

/** `python path/to/script.py`. */
function scriptRefusals(script: string, context: BashContext, cwd: string): Refusal[] {
  const path = resolve(cwd, script);
  const text = context.readText(path);
  const rel = projectPath(context.root, path);
  if (rel !== null && isGuardedPath(rel)) {
    return [refuse(
      `${rel} is project code run directly, outside \`mlp run\``,
      "project code runs only inside `mlp run --config configs/experiment.yaml`; run tests " +
        "with `uv run pytest tests/`, and put utilities in scripts/",
    )];
  }
  return text === null ? [] : fileRefusals(path, text, context, `\`python ${script}\``);
}

/** A Python file run by Python: in the project by its place, elsewhere by its code. */
function fileRefusals(path: string, text: string, context: BashContext, via: string): Refusal[] {
  const rel = projectPath(context.root, path);
  if (rel !== null) {
    if (isExcludedPath(rel)) return [];
    return [refuse(
      `${rel} is project code run directly by ${via}, outside \`mlp run\``,
      "project code runs only inside `mlp run --config configs/experiment.yaml`",
    )];
  }
  return guardFile(path, text).map((problem) =>
    refuse(`${path}:${problem.line ?? 1}: ${problem.message} (run by ${via})`, TRAINING_HINT)
  );
}

/** What a git command does to the hooks, the notes and the refs. */
function gitRefusals(args: readonly string[]): Refusal[] {
  const refusals: Refusal[] = [];
  let i = 0;
  for (; i < args.length && args[i].startsWith("-"); i++) {
    const option = args[i];
    const value = GIT_VALUE_OPTIONS.has(option) ? args[++i] ?? "" : option.replace(/^[^=]*=/, "");
    if ((option === "-c" || option.startsWith("--config-env")) && HOOK_CONFIG.test(value)) {
      refusals.push(refuse(`\`git ${option} ${value}\` redirects the git hooks`, HOOKS_HINT));
    }
  }
  const sub = args[i];
  const rest = args.slice(i + 1);
  // git takes any unambiguous prefix of a long option: `--no-ver` is `--no-verify`.
  const skip = rest.find((a) => a.length >= "--no-v".length && "--no-verify".startsWith(a));
  if (skip !== undefined) {
    refusals.push(refuse(`\`git ${sub} ${skip}\` skips the git hooks`, HOOKS_HINT));
  }
  if (sub === "commit" && commitSkipsHooks(rest)) {
    refusals.push(refuse("`git commit -n` skips the git hooks", HOOKS_HINT));
  }
  if (sub === "config" && rest.some((a) => HOOK_CONFIG.test(a)) && !configReads(rest)) {
    const key = rest.find((a) => HOOK_CONFIG.test(a))!;
    refusals.push(refuse(`\`git config ${key}\` changes which hooks run`, HOOKS_HINT));
  }
  if (sub === "notes") {
    const action = skipOptions(rest, new Set(["--ref"]))[0];
    if (action !== undefined && !NOTES_READS.has(action)) {
      refusals.push(refuse(
        `\`git notes ${action}\` edits the git notes that tie commits to MLflow runs`,
        "only `mlp run` writes notes; read them with `git notes --ref=mlflow show`",
      ));
    }
  }
  if (sub === "update-ref") {
    refusals.push(refuse(
      "`git update-ref` moves refs around the hooks",
      "change branches with `git switch` and `git commit`, which the hooks check",
    ));
  }
  if (sub === "push" && pushForces(rest)) {
    refusals.push(refuse(
      "a forced push rewrites history the merge gate has proven",
      "push without force; to change a pushed branch, add a commit",
    ));
  }
  return refusals;
}

function commitSkipsHooks(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") return false;
    if (!/^-[^-]/.test(arg)) continue;
    for (const flag of arg.slice(1)) {
      if (flag === "n") return true;
      if (COMMIT_VALUE_FLAGS.has(flag)) {
        if (arg.endsWith(flag)) i++;
        break;
      }
    }
  }
  return false;
}

function configReads(args: readonly string[]): boolean {
  return args.some((a) =>
    ["--get", "--get-all", "--get-regexp", "-l", "--list", "get", "list"].includes(a)
  );
}

function pushForces(args: readonly string[]): boolean {
  return args.some((a) =>
    a.startsWith("--force") || /^-[a-zA-Z]*f/.test(a) && !a.startsWith("--") ||
    /^\+[^+]/.test(a) || a === "--mirror"
  );
}

/**
 * Whether a word names production data: `data/production` in it (as written, in a glob that
 * could match it), or a path that, from `cwd`, resolves into the project's data/production.
 */
export function touchesProduction(word: string, cwd: string, root: string): boolean {
  const normalized = word.replaceAll("\\", "/").replace(/\/+/g, "/").replace(
    /(^|\/)(\.\/)+/g,
    "$1",
  );
  if (/(?:^|[^A-Za-z0-9_])data\/production(?:[^A-Za-z0-9_]|$)/.test(normalized)) return true;
  if (word.startsWith("$") || word.startsWith("~")) return false;
  const production = resolve(root, "data/production");
  const parts = resolve(cwd, word).split("/");
  const target = production.split("/");
  // A glob matches when each of its components can match the production folder's.
  for (let i = 0; i < target.length && i < parts.length; i++) {
    if (!componentMatches(parts[i], target[i])) return false;
  }
  return parts.length >= target.length;
}

/** Whether one path component, possibly a glob (`*`, `?`, `[…]`), can match `name`. */
function componentMatches(pattern: string, name: string): boolean {
  if (!/[*?[]/.test(pattern)) return pattern === name;
  const source = pattern.replace(/[.+^${}()|\\]/g, "\\$&").replaceAll("*", ".*").replaceAll(
    "?",
    ".",
  );
  try {
    return new RegExp(`^${source}$`).test(name);
  } catch {
    return true;
  }
}

function refuse(message: string, hint: string): Refusal {
  return { subject: SUBJECT, message, hint };
}

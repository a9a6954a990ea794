/**
 * Which files of a tree the training guard reads, and under which path they run: the same plan
 * for the index (the pre-commit hook) and for the work tree (`mlp guard`). A tracked symlink runs
 * the code it points to under its own path (`src/t.py -> ../scripts/train.py` is imported as
 * `t`, and a linked folder `src/pkg -> ../scripts` makes a package of scripts/), so a link is
 * judged as its target, wherever that lies; a link out of the project or to a file the tree does
 * not hold cannot be checked and is refused. Compiled Python is refused too. Pure.
 *
 * @module
 */
import { posix } from "node:path";
import type { FileProblem } from "./check_file.ts";
import { guardFile } from "./check_file.ts";
import { hasPythonShebang, isBytecodeName, isExcludedPath, isPythonName } from "./python_files.ts";

/** One entry of the tree: a file (executable or not) or a symlink. */
export interface TreeEntry {
  kind: "file" | "link";
  /** A file git tracks as executable (mode 100755): it can run as a program. */
  executable: boolean;
}

/** The tree the guard judges: every entry, project-relative, and what its links point to. */
export interface GuardTree {
  entries: ReadonlyMap<string, TreeEntry>;
  /** The target of a link entry, as the link holds it (relative to the link's folder). */
  linkTarget(path: string): string;
}

/** A file to read and, when it is Python, to scan. */
export interface ScanItem {
  /** The path it runs under: the file's, a link's, or a path inside a linked folder. */
  path: string;
  /** The tree entry that holds its content. */
  source: string;
  /** Python by its name; otherwise only if its content starts with a Python shebang. */
  byName: boolean;
}

/** What the guard reads, and what it refuses without reading. */
export interface ScanPlan {
  items: ScanItem[];
  problems: FileProblem[];
}

/** Where a path leads once every symlink on it is followed. */
type Resolved =
  | { kind: "file" | "dir"; path: string }
  | { kind: "outside" | "missing" };

/** Symlinks followed at most on one path, as Linux's own limit (ELOOP). */
const MAX_LINKS = 40;

/**
 * The files to scan and the problems found for the entries at `paths` (links and files outside
 * tests/ and scripts/; other paths are left out).
 *
 * @example Usage
 * ```ts
 * import { planScan } from "./guard_tree.ts";
 * const entries = new Map([
 *   ["src/t.py", { kind: "link" as const, executable: false }],
 *   ["scripts/train.py", { kind: "file" as const, executable: false }],
 * ]);
 * planScan({ entries, linkTarget: () => "../scripts/train.py" }, ["src/t.py"]).items;
 * // => [{ path: "src/t.py", source: "scripts/train.py", byName: true }]
 * ```
 */
export function planScan(tree: GuardTree, paths: Iterable<string>): ScanPlan {
  const plan: ScanPlan = { items: [], problems: [] };
  const planned = new Set<string>();

  const addFile = (path: string, source: string) => {
    if (planned.has(path)) return;
    planned.add(path);
    if (isBytecodeName(path) || isBytecodeName(source)) {
      plan.problems.push(bytecodeProblem(path, source));
      return;
    }
    const byName = isPythonName(path) || isPythonName(source);
    if (byName || tree.entries.get(source)?.executable) plan.items.push({ path, source, byName });
  };

  for (const path of paths) {
    const entry = tree.entries.get(path);
    if (entry === undefined || isExcludedPath(path)) continue;
    if (entry.kind === "file") {
      addFile(path, path);
      continue;
    }
    const resolved = resolvePath(tree, path);
    if (resolved.kind === "file") {
      addFile(path, resolved.path);
    } else if (resolved.kind === "dir") {
      for (const inner of below(tree, resolved.path)) {
        const file = resolvePath(tree, inner);
        if (file.kind === "file") {
          addFile(`${path}/${inner.slice(resolved.path.length + 1)}`, file.path);
        }
      }
    } else {
      const target = tree.linkTarget(path);
      if (isPythonName(path) || isPythonName(target) || path.startsWith("src/")) {
        plan.problems.push(linkProblem(path, target, resolved.kind));
      }
    }
  }
  return plan;
}

/**
 * The guard's problems in one planned file, given its content: `undefined` when the file turns
 * out not to be Python (an executable without a Python shebang).
 */
export function guardItem(item: ScanItem, content: Uint8Array): FileProblem[] | undefined {
  if (!item.byName && !hasPythonShebang(content)) return undefined;
  const text = new TextDecoder().decode(content);
  return guardFile(item.path, text, item.source === item.path ? undefined : item.source);
}

/** The problems in path order (as git lists paths), each file's in the order they were found. */
export function byFile(problems: readonly FileProblem[]): FileProblem[] {
  return problems
    .map((problem, order) => ({ problem, order }))
    .sort((a, b) =>
      (a.problem.file < b.problem.file ? -1 : a.problem.file > b.problem.file ? 1 : 0) ||
      a.order - b.order
    )
    .map(({ problem }) => problem);
}

/**
 * The links among `paths` of the tree whose target is, or holds, one of `changed`: a commit that
 * changes scripts/train.py changes what `src/t.py -> ../scripts/train.py` runs.
 */
export function linksReaching(tree: GuardTree, changed: ReadonlySet<string>): string[] {
  const links: string[] = [];
  for (const [path, entry] of tree.entries) {
    if (entry.kind !== "link" || isExcludedPath(path)) continue;
    const resolved = resolvePath(tree, path);
    if (resolved.kind === "file" && changed.has(resolved.path)) links.push(path);
    if (resolved.kind === "dir") {
      const prefix = `${resolved.path}/`;
      if ([...changed].some((file) => resolved.path === "" || file.startsWith(prefix))) {
        links.push(path);
      }
    }
  }
  return links;
}

/** Follows every symlink on `path`, component by component, within the tree. */
export function resolvePath(tree: GuardTree, path: string): Resolved {
  const done: string[] = [];
  const pending = path.split("/");
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (done.length === 0) return { kind: "outside" };
      done.pop();
      continue;
    }
    const current = [...done, part].join("/");
    const entry = tree.entries.get(current);
    if (entry?.kind === "link") {
      const target = tree.linkTarget(current);
      if (posix.isAbsolute(target)) return { kind: "outside" };
      if (++links > MAX_LINKS) return { kind: "missing" };
      pending.unshift(...target.split("/"));
      continue;
    }
    if (entry?.kind === "file") {
      if (pending.some((rest) => rest !== "" && rest !== ".")) return { kind: "missing" };
      return { kind: "file", path: current };
    }
    done.push(part);
  }
  const dir = done.join("/");
  return below(tree, dir).length > 0 ? { kind: "dir", path: dir } : { kind: "missing" };
}

const FOLDERS = new WeakMap<GuardTree, Map<string, string[]>>();

/** Every entry below folder `dir` of the tree, at any depth (`""`: the whole tree). */
function below(tree: GuardTree, dir: string): string[] {
  let index = FOLDERS.get(tree);
  if (index === undefined) {
    index = new Map([["", [...tree.entries.keys()]]]);
    for (const path of tree.entries.keys()) {
      for (let slash = path.indexOf("/"); slash >= 0; slash = path.indexOf("/", slash + 1)) {
        const folder = path.slice(0, slash);
        const list = index.get(folder);
        if (list) list.push(path);
        else index.set(folder, [path]);
      }
    }
    FOLDERS.set(tree, index);
  }
  return index.get(dir) ?? [];
}

function bytecodeProblem(path: string, source: string): FileProblem {
  const via = source === path ? "" : ` (a symlink to "${source}")`;
  return {
    file: path,
    message: `compiled Python${via}: Python imports it like a module, and the training guard ` +
      "cannot read it",
    hint: `commit the .py source instead: \`git rm --cached ${path}\`, and keep compiled files ` +
      "out of git (`__pycache__/` and `*.pyc` in .gitignore)",
  };
}

function linkProblem(path: string, target: string, kind: "outside" | "missing"): FileProblem {
  const where = kind === "outside" ? "outside the project" : "which the commit does not hold";
  return {
    file: path,
    message: `symlink to "${target}", ${where}: the training guard cannot check the code it runs`,
    hint: "commit the file itself rather than a link to it: `git rm --cached " +
      `${path}\`, then copy the file into the project`,
  };
}

/**
 * Which files of a client project are scaffold: the files mlp's Copier template generates that a
 * project must not edit for itself (plan §3.2, "never edit scaffold files per client"), so that
 * `copier update` brings every template improvement without a manual merge. A project's own work
 * lives in `src/` (its model code), `configs/` (its experiment and reasoning configs, the
 * standards it is governed by, which change only through the override log, and the JSON Schemas
 * `mlp schema` writes from those standards), `data/` (its datasets) and `logs/` (its audit log):
 * the template seeds these, and they are the project's from then on. Everything else the template
 * generates is scaffold, the answers file `.copier-answers.yml` included: it changes only with
 * `copier update`, which is what lets the scaffold change.
 *
 * Pure logic: the callers list the template's files and the project's.
 *
 * @module
 */

/** The answers file Copier writes into every project (`_answers_file` of copier.yml). */
export const ANSWERS_FILE = ".copier-answers.yml";

/** The folders whose files are the project's own, though the template seeds them. */
export const PROJECT_FOLDERS = ["src/", "configs/", "data/", "logs/"] as const;

/**
 * Folders that hold nothing but the template's files: any other file in them is drift too
 * (`.githooks/` is where git finds the hooks, so an extra script there runs on git's events).
 */
export const TEMPLATE_ONLY_FOLDERS = [".githooks/"] as const;

/**
 * Whether a project-relative path (forward slashes) is outside the project's own folders, i.e.
 * scaffold when the template generates it.
 *
 * @example Usage
 * ```ts
 * import { isScaffoldPath } from "./scaffold.ts";
 * isScaffoldPath("AGENTS.md"); // => true
 * isScaffoldPath("src/features.py"); // => false
 * isScaffoldPath("configs/experiment.yaml"); // => false
 * ```
 */
export function isScaffoldPath(path: string): boolean {
  return !PROJECT_FOLDERS.some((folder) => path.startsWith(folder));
}

/** Whether a path is in a folder that may hold the template's files only. */
export function inTemplateOnlyFolder(path: string): boolean {
  return TEMPLATE_ONLY_FOLDERS.some((folder) => path.startsWith(folder));
}

/**
 * The path a file of the template folder generates in a project: Copier drops the `.jinja`
 * suffix, and the answers file's name is the template expression `{{_copier_conf.answers_file}}`.
 *
 * @example Usage
 * ```ts
 * import { generatedPath } from "./scaffold.ts";
 * generatedPath("README.md.jinja"); // => "README.md"
 * generatedPath("{{_copier_conf.answers_file}}.jinja"); // => ".copier-answers.yml"
 * ```
 */
export function generatedPath(templatePath: string): string {
  const path = templatePath.endsWith(".jinja")
    ? templatePath.slice(0, -".jinja".length)
    : templatePath;
  return path.replace(/\{\{\s*_copier_conf\.answers_file\s*\}\}/g, ANSWERS_FILE);
}

/**
 * The scaffold files among the paths a template generates, sorted bytewise (template-folder
 * paths are mapped with {@linkcode generatedPath}).
 *
 * @example Usage
 * ```ts
 * import { scaffoldFiles } from "./scaffold.ts";
 * scaffoldFiles(["README.md.jinja", "src/model.py", ".githooks/pre-commit"]);
 * // => [".githooks/pre-commit", "README.md"]
 * ```
 */
export function scaffoldFiles(templatePaths: readonly string[]): string[] {
  return [...new Set(templatePaths.map(generatedPath))].filter(isScaffoldPath).sort(bytewise);
}

/** Bytewise order of strings (the order git lists paths in). */
export function bytewise(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

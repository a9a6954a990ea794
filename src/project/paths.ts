/**
 * Finding a client project and its well-known paths. A project is a directory that holds
 * `configs/project_standards.yaml`; mlp commands run from anywhere inside it.
 *
 * @module
 */
import { dirname, join, relative, resolve } from "node:path";
import { existsSync } from "node:fs";
import { InputError } from "../errors.ts";

/** The standards file whose presence marks a project root. */
export const STANDARDS_PATH = "configs/project_standards.yaml";

/** The default reasoning file, which `mlp run` reads and the pre-commit hook validates. */
export const REASONING_PATH = "configs/reasoning.yaml";

/** Well-known paths of a client project, all absolute. */
export interface ProjectPaths {
  root: string;
  standards: string;
  experiment: string;
  reasoning: string;
  shadow: string;
  production: string;
  overrideLog: string;
  lock: string;
  src: string;
  /** mlp's own working area: platform code, run scratch directories. Git-ignored. */
  state: string;
  /** Default MLflow SQLite store. */
  mlflowDb: string;
  /** Where the default store's experiments keep artifacts. */
  artifacts: string;
}

/**
 * Walks up from `start` to the nearest directory that holds `configs/project_standards.yaml`.
 *
 * @throws {InputError} when no such directory exists above `start`.
 */
export function findProjectRoot(start: string = Deno.cwd()): string {
  let dir = resolve(start);
  while (true) {
    if (existsSync(join(dir, STANDARDS_PATH))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new InputError(`No mlp project found at or above "${resolve(start)}"`, {
        hint:
          `run mlp inside a client project (a directory with ${STANDARDS_PATH}); create one with \`copier copy <mlp>/ <dir>\``,
      });
    }
    dir = parent;
  }
}

/** Returns the well-known paths of the project rooted at `root`. */
export function projectPaths(root: string): ProjectPaths {
  return {
    root,
    standards: join(root, STANDARDS_PATH),
    experiment: join(root, "configs/experiment.yaml"),
    reasoning: join(root, REASONING_PATH),
    shadow: join(root, "data/shadow"),
    production: join(root, "data/production"),
    overrideLog: join(root, "logs/protected_overrides.log"),
    lock: join(root, "uv.lock"),
    src: join(root, "src"),
    state: join(root, ".mlp"),
    mlflowDb: join(root, "mlflow.db"),
    artifacts: join(root, "mlartifacts"),
  };
}

/** A path relative to the project root, with forward slashes, for messages and records. */
export function projectRelative(root: string, path: string): string {
  return relative(root, resolve(root, path)).split("\\").join("/");
}

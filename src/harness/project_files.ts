/**
 * The project files the Claude Code hook guards by their place: production data, which agents
 * never touch; what only mlp or a person writes (datasets, logs, the standards, the git hooks,
 * `.claude/`, the CI files of the required check); and experiment configs, whose protected fields
 * an edit may not change. Pure.
 *
 * @module
 */
import { isAbsolute, relative } from "node:path";
import { PRODUCTION } from "../guard/production_paths.ts";
import { REASONING_PATH, STANDARDS_PATH } from "../project/paths.ts";
import type { Refusal } from "./refusal.ts";

/** How to proceed after a refused access to production data. */
export const PRODUCTION_HINT = "agents never read production data: work with the shadow " +
  "dataset through `mlp run` (dataset_version in the config), and `mlp data describe` for its " +
  "columns";

/** Where an edit may not go, with why: what only mlp or a person writes. */
const PROTECTED_PATHS: readonly { test: (rel: string) => boolean; why: string }[] = [
  {
    test: under("data/shadow"),
    why: "datasets are immutable: a new one is added with `mlp data add`",
  },
  { test: under("logs"), why: "only mlp writes the logs (the override log is hash-chained)" },
  {
    test: (rel) => rel === STANDARDS_PATH,
    why: "the standards are the project's rulebook: changes need the project owner",
  },
  { test: under(".githooks"), why: "the git hooks run mlp's checks: only a person changes them" },
  { test: under(".claude"), why: "the agent's settings and hooks are set by a person" },
  {
    test: (rel) =>
      under(".github/workflows")(rel) || rel === ".gitlab-ci.yml" ||
      under("scripts/ci")(rel),
    why: "the required CI check runs mlp's merge proof: only a person changes it",
  },
];

/** Whether a project-relative path lies in data/production. */
export function isProduction(rel: string): boolean {
  return under(PRODUCTION)(rel);
}

/**
 * Why an agent may not write the file at a project-relative path: production data, or one of
 * the files only mlp or a person writes; empty when it may.
 *
 * @example Usage
 * ```ts
 * import { placeRefusals } from "./project_files.ts";
 * placeRefusals("logs/protected_overrides.log")[0].message;
 * // => "agents do not edit logs/protected_overrides.log: only mlp writes the logs (the override log is hash-chained)"
 * ```
 */
export function placeRefusals(rel: string): Refusal[] {
  if (isProduction(rel)) {
    return [{ subject: rel, message: "the edit writes production data", hint: PRODUCTION_HINT }];
  }
  const place = PROTECTED_PATHS.find((p) => p.test(rel));
  if (place === undefined) return [];
  return [{
    subject: rel,
    message: `agents do not edit ${rel}: ${place.why}`,
    hint: "leave the file as it is; if it must change, ask a person in the conversation to do it",
  }];
}

/** Whether a project-relative path is an experiment config (`mlp run --config` takes it). */
export function isExperimentConfig(rel: string): boolean {
  return /^configs\/.+\.ya?ml$/.test(rel) && rel !== STANDARDS_PATH &&
    !/^configs\/(?:.+\/)?reasoning[^/]*\.ya?ml$/.test(rel) && rel !== REASONING_PATH;
}

/** The project-relative path of an absolute path, with `/`; null outside the project. */
export function projectPath(root: string, path: string): string | null {
  const rel = relative(root, path).split("\\").join("/");
  return rel === "" || rel.startsWith("../") || rel === ".." || isAbsolute(rel) ? null : rel;
}

function under(folder: string): (rel: string) => boolean {
  return (rel) => rel === folder || rel.startsWith(`${folder}/`);
}

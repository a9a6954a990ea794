/**
 * Loading the three configs a run needs — standards, experiment and reasoning — from a project,
 * with every problem of the experiment and reasoning files reported together.
 *
 * @module
 */
import { isAbsolute, relative, resolve } from "node:path";
import { formatLocation, InputError } from "../errors.ts";
import { projectPaths, projectRelative } from "../project/paths.ts";
import { type ExperimentConfig, parseExperiment } from "./experiment.ts";
import { parseReasoning, type ReasoningConfig } from "./reasoning.ts";
import { readConfigText } from "./read.ts";
import { loadStandards, type Standards } from "./standards.ts";

/** Which files to load; paths are resolved against the project root. */
export interface LoadOptions {
  /** The experiment config (default `configs/experiment.yaml`). */
  config?: string;
  /** The reasoning file (default `configs/reasoning.yaml`). */
  reasoning?: string;
  /** The operator is an AI agent (see `isAgentOperator`). */
  agent: boolean;
}

/** The validated configs of a run, their project-relative paths and the experiment's text. */
export interface RunConfigs {
  standards: Standards;
  experiment: ExperimentConfig;
  reasoning: ReasoningConfig;
  files: { standards: string; experiment: string; reasoning: string };
  /** The experiment config as it was read and validated, for checks that name its lines. */
  texts: { experiment: string };
}

/**
 * Reads and validates the standards, then the experiment config and the reasoning against them.
 *
 * @param root The project root.
 * @param options Which files, and whether an agent is the operator.
 * @throws {InputError} when a file is missing, lies outside the project, or is invalid; problems
 * in both the experiment and the reasoning file are reported in one error.
 *
 * @example Usage
 * ```ts
 * import { loadRunConfigs } from "./load.ts";
 * const { experiment, files } = await loadRunConfigs(Deno.cwd(), { agent: false });
 * files.experiment; // => "configs/experiment.yaml"
 * ```
 */
export async function loadRunConfigs(root: string, options: LoadOptions): Promise<RunConfigs> {
  const paths = projectPaths(root);
  const files = {
    standards: projectRelative(root, paths.standards),
    experiment: insideProject(root, options.config ?? paths.experiment, "--config"),
    reasoning: insideProject(root, options.reasoning ?? paths.reasoning, "--reasoning"),
  };
  const standards = await loadStandards(paths.standards, files.standards);
  const results = await Promise.allSettled([
    readConfigText(
      resolve(root, files.experiment),
      files.experiment,
      "write the experiment config (configs/experiment.schema.json lists its fields), or name another with --config PATH",
    ).then((text) => ({ text, config: parseExperiment(text, files.experiment, standards) })),
    readConfigText(
      resolve(root, files.reasoning),
      files.reasoning,
      "write configs/reasoning.yaml with hypothesis_category, change_description and expected_effect, or name another with --reasoning PATH",
    ).then((text) => parseReasoning(text, files.reasoning, standards, { agent: options.agent })),
  ]);
  const failures = results.flatMap((result) => result.status === "rejected" ? [result.reason] : []);
  if (failures.length > 0) throw combineErrors(failures);
  const [experiment, reasoning] = results as [
    PromiseFulfilledResult<{ text: string; config: ExperimentConfig }>,
    PromiseFulfilledResult<ReasoningConfig>,
  ];
  return {
    standards,
    experiment: experiment.value.config,
    reasoning: reasoning.value,
    files,
    texts: { experiment: experiment.value.text },
  };
}

/**
 * The project-relative form of `path`, refused when it lies outside the project: runs record the
 * config by its path in the repository, and the merge check reads it back from a commit.
 */
function insideProject(root: string, path: string, option: string): string {
  const absolute = resolve(root, path);
  const fromRoot = relative(root, absolute);
  if (fromRoot.startsWith("..") || isAbsolute(fromRoot)) {
    throw new InputError(`Config file "${path}" is outside the project "${root}"`, {
      hint: `pass a file inside the project to ${option}`,
    });
  }
  return projectRelative(root, absolute);
}

/** One error for several: the only one as is, or their messages and details together. */
function combineErrors(errors: unknown[]): unknown {
  const inputErrors = errors.filter((error): error is InputError => error instanceof InputError);
  if (errors.length === 1 || inputErrors.length !== errors.length) return errors[0];
  return new InputError(inputErrors.map((error) => error.message).join("; "), {
    details: inputErrors.flatMap((error) => [
      ...(error.location ? [`${formatLocation(error.location)}: ${error.message}`] : []),
      ...error.details,
    ]),
    hint: inputErrors.map((error) => error.hint).filter(Boolean).join("; "),
  });
}

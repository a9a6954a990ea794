/**
 * The merge proof (DESIGN "Merge proof"): a run proves a commit when it FINISHED at that commit
 * with `git_dirty=false` and its fingerprints equal those recomputed from the commit's tree: the
 * uv.lock hash, the dataset hash (the config's `dataset_version`), the feature-pipeline hash,
 * the project-code hash and every protected field, it is a run of this project (its sealed
 * `client_name` and `project_name` tags and its experiment, `<client_name>/<project_name>`, are
 * those of the commit's config: a run of another project in a shared store proves nothing here),
 * and its seal holds (src/tracking/seal.ts: its record has not changed
 * since `mlp run` sealed it). Everything on the commit side is read from git objects, never from
 * the work tree, so the proof holds for whatever the commit contains.
 *
 * @module
 */
import { flattenParams } from "../config/flatten.ts";
import { parseExperiment } from "../config/experiment.ts";
import { parseStandards } from "../config/standards.ts";
import { CheckError, MlpError } from "../errors.ts";
import { gitCode, projectCodeHash } from "../fingerprint/code_hash.ts";
import { featurePipelineHash, gitTreeReader } from "../fingerprint/feature_hash.ts";
import { gitShow, resolveCommit } from "../fingerprint/git.ts";
import { lockHash } from "../fingerprint/lock.ts";
import { STANDARDS_PATH } from "../project/paths.ts";
import type { RunReader, RunRecord } from "../tracking/run_record.ts";
import { checkSeal } from "../tracking/seal.ts";
import { readRunNotes, readRunSeals } from "./notes.ts";

/** The config a run used when its `mlp.config` tag is missing. */
const DEFAULT_CONFIG = "configs/experiment.yaml";

/** What to verify. */
export interface VerifyRunOptions {
  /** The commit to prove (any revision git understands). */
  commit: string;
  /** A run to check; with neither this nor `runIds`, the runs in the commit's git note. */
  runId?: string;
  /** Several candidate runs (e.g. from a merge message); any one proving the commit suffices. */
  runIds?: string[];
  reader: RunReader;
}

/** Why each candidate run does or does not prove the commit. */
export interface RunCheck {
  runId: string;
  /** Empty when the run proves the commit. */
  problems: string[];
}

/** A proven commit. */
export interface VerifyResult {
  /** Full SHA of the proven commit. */
  commit: string;
  /** The first candidate that proves it. */
  runId: string;
  /** Every candidate checked, in order. */
  checked: RunCheck[];
}

/** What a proving run must hold, recomputed from a commit's tree for one config path. */
type Expected = {
  /** The params and their values. */
  params: Record<string, string>;
  /** The project the config names: the run's tags and experiment must be this project's. */
  client: string;
  project: string;
} | { error: string };

/**
 * Checks that a run proves `commit`; candidates are the given run IDs, else the run IDs noted on
 * the commit (refs/notes/mlflow).
 *
 * @throws {CheckError} when no candidate proves the commit: per run, every mismatch as
 *   `field: run has "x", commit has "y"`, and how to produce a run that does.
 */
export async function verifyRun(root: string, options: VerifyRunOptions): Promise<VerifyResult> {
  const commit = await resolveCommit(root, options.commit);
  const short = commit.slice(0, 12);
  const given = [...(options.runId ? [options.runId] : []), ...(options.runIds ?? [])];
  const candidates = given.length > 0 ? given : await readRunNotes(root, commit);
  const hint = `run \`mlp run\` at ${short} on a clean tree (it notes the run ID on the commit), ` +
    `then merge with "MLflow-Run: <run id>" in the message or with the note ` +
    "(`git fetch origin refs/notes/mlflow:refs/notes/mlflow` brings a colleague's notes)";
  if (candidates.length === 0) {
    throw new CheckError(`No MLflow run is named for commit ${short}`, {
      details: [
        `the merge message has no "MLflow-Run: <run id>" line and refs/notes/mlflow has no note on ${short}`,
      ],
      hint,
    });
  }

  const notedSeals = await readRunSeals(root, commit);
  const expectedByConfig = new Map<string, Promise<Expected>>();
  const checked: RunCheck[] = [];
  for (const runId of candidates) {
    const run = await options.reader.getRun(runId);
    if (run === null) {
      checked.push({ runId, problems: [`no such run in ${options.reader.location}`] });
      continue;
    }
    const problems: string[] = [];
    if (run.lifecycleStage !== "active") problems.push(`the run is ${run.lifecycleStage}`);
    if (run.status !== "FINISHED") {
      problems.push(`status: run is "${run.status}", must be "FINISHED"`);
    }
    problems.push(...await checkSeal(options.reader, run, notedSeals.get(runId.toLowerCase())));
    const compare = (field: string, commitValue: string) => {
      const runValue = run.params[field];
      if (runValue === commitValue) return;
      problems.push(
        runValue === undefined
          ? `${field}: run has no such param, commit has "${commitValue}"`
          : `${field}: run has "${runValue}", commit has "${commitValue}"`,
      );
    };
    compare("git_commit", commit);
    compare("git_dirty", "false");

    const config = run.tags["mlp.config"] || DEFAULT_CONFIG;
    if (!expectedByConfig.has(config)) {
      expectedByConfig.set(config, recomputeFingerprints(root, commit, config));
    }
    const expected = await expectedByConfig.get(config)!;
    if ("error" in expected) {
      problems.push(expected.error);
    } else {
      problems.push(...await checkIdentity(options.reader, run, expected, config));
      for (const [field, value] of Object.entries(expected.params)) compare(field, value);
      for (const field of Object.keys(run.params)) {
        if (field.startsWith("protected.") && !(field in expected.params)) {
          problems.push(`${field}: run has "${run.params[field]}", commit has no such field`);
        }
      }
    }
    checked.push({ runId, problems });
    if (problems.length === 0) return { commit, runId, checked };
  }

  throw new CheckError(
    `No MLflow run proves commit ${short}: ${
      checked.length === 1
        ? "the run named does not"
        : `none of the ${checked.length} runs named does`
    }`,
    {
      details: checked.flatMap((check) => check.problems.map((p) => `run ${check.runId}: ${p}`)),
      hint,
    },
  );
}

/**
 * The params a proving run must have, recomputed from `commit`'s tree and the config at
 * `configPath` in it; `{error}` when the commit cannot be fingerprinted (no config, no lock).
 */
async function recomputeFingerprints(
  root: string,
  commit: string,
  configPath: string,
): Promise<Expected> {
  const short = commit.slice(0, 12);
  const decoder = new TextDecoder();
  const standardsBytes = await gitShow(root, commit, STANDARDS_PATH);
  const configBytes = await gitShow(root, commit, configPath);
  const lockBytes = await gitShow(root, commit, "uv.lock");
  for (
    const [path, bytes] of [[STANDARDS_PATH, standardsBytes], [configPath, configBytes], [
      "uv.lock",
      lockBytes,
    ]] as const
  ) {
    if (bytes === null) {
      return { error: `commit ${short} has no "${path}" to compare the run with` };
    }
  }
  try {
    const standards = parseStandards(decoder.decode(standardsBytes!), STANDARDS_PATH);
    const experiment = parseExperiment(decoder.decode(configBytes!), configPath, standards);
    const features = await featurePipelineHash(gitTreeReader(root, commit), experiment.features);
    const code = await projectCodeHash(gitCode(root, commit));
    return {
      client: experiment.client_name,
      project: experiment.project_name,
      params: {
        dependency_lock_hash: lockHash(lockBytes!),
        dataset_hash: experiment.dataset_version,
        dataset_version: experiment.dataset_version,
        feature_pipeline_hash: features.hash,
        project_code_hash: code.hash,
        ...flattenParams(experiment.protected, "protected"),
      },
    };
  } catch (error) {
    if (!(error instanceof MlpError)) throw error;
    return {
      error: `the configs at commit ${short} cannot be fingerprinted: ${error.message}` +
        error.details.map((d) => `; ${d}`).join(""),
    };
  }
}

/**
 * Problems with a run's project: its `client_name` and `project_name` tags (sealed) and its
 * experiment's name must be the ones the config at the commit names; empty when they are.
 */
async function checkIdentity(
  reader: RunReader,
  run: RunRecord,
  expected: { client: string; project: string },
  configPath: string,
): Promise<string[]> {
  const problems: string[] = [];
  for (
    const [tag, value] of [["client_name", expected.client], ["project_name", expected.project]]
  ) {
    const found = run.tags[tag];
    if (found !== value) {
      problems.push(
        found === undefined
          ? `${tag}: run has no such tag, commit's "${configPath}" has "${value}": ` +
            "it is not a run mlp recorded for this project"
          : `${tag}: run has "${found}", commit's "${configPath}" has "${value}": ` +
            "it is a run of another project",
      );
    }
  }
  const wanted = `${expected.client}/${expected.project}`;
  const experiment = await reader.getExperimentName(run.experimentId);
  if (experiment !== wanted) {
    problems.push(
      `experiment: run is in ${experiment === null ? "no experiment" : `"${experiment}"`}, ` +
        `this project's is "${wanted}" (client_name/project_name of "${configPath}")`,
    );
  }
  return problems;
}

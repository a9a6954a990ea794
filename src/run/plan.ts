/**
 * The run plan: everything the supervisor and trainer need, decided by mlp before any Python
 * runs. Pure: built from values, written to `.mlp/runs/<id>/plan.json` by the caller, logged as
 * the run's `mlp/plan.json` artifact so an auditor sees exactly what was asked for.
 *
 * The plan holds no machine path and names no store: its paths are relative to the project root
 * (the supervisor runs there), and the store comes from `MLFLOW_TRACKING_URI`, which mlp sets for
 * the supervisor. A project folder is moved, copied and cloned; its records must survive that.
 * Its format is the contract's (`src/contract/plan.ts`), which the platform Python reads too.
 *
 * @module
 */
import type { ExperimentConfig } from "../config/experiment.ts";
import type { ReasoningConfig } from "../config/reasoning.ts";
import { flattenParams } from "../config/flatten.ts";
import type { HyperparameterSpec } from "../config/standards.ts";
import { REPRODUCES_TAG, type SandboxMode } from "../contract/lists.ts";
import {
  type Comparison,
  isProjectRelative,
  PLAN_VERSION,
  type RunPlan,
  runPlanSchema,
} from "../contract/plan.ts";
import { featuresJson } from "../fingerprint/feature_hash.ts";
import { hyperparameterParams, hyperparameterTypes } from "./hyperparameters.ts";
import { defaultRunName } from "./run_name.ts";

/** Fingerprints that mlp computes and logs as Tier 1 params on every run. */
export interface Fingerprints {
  git_commit: string;
  git_dirty: boolean;
  /** SHA-256 of the tree's diff against HEAD, untracked project files included (empty when clean). */
  git_diff_hash: string;
  dataset_hash: string;
  dataset_schema_hash: string;
  dependency_lock_hash: string;
  feature_pipeline_hash: string;
  /** Every file under `src/` (src/fingerprint/code_hash.ts). */
  project_code_hash: string;
  mlp_version: string;
  /** The exact mlp source: version, hash of its TypeScript and of the platform Python. */
  mlp_build: string;
}

/** Inputs of {@linkcode buildRunPlan}; every path is relative to the project root. */
export interface RunPlanInputs {
  configFile: string;
  experiment: ExperimentConfig;
  reasoning: ReasoningConfig;
  allowedMetrics: readonly string[];
  /** The standards' hyperparameter specs of the config's model type. */
  hyperparameterSpecs: Record<string, HyperparameterSpec>;
  fingerprints: Fingerprints;
  dataset: { dir: string; tables: string[] };
  operator: string;
  sandbox: SandboxMode;
  scratchDir: string;
  /** The run's code snapshot (`.mlp/runs/<dir>/src`): the only project code the trainer reads. */
  projectSrc: string;
  platformDir: string;
  runName?: string;
  /** The Tier 3 `agent.*` params (src/cost/agent_cost.ts); none for a person's run. */
  agentParams?: Record<string, string>;
  /** The baseline and thresholds of the run's outcome (`src/outcome/`); none: no outcome. */
  comparison?: Comparison | null;
  /** The run this one reproduces (`mlp reproduce`), tagged `mlp.reproduces`; none for a run. */
  reproduces?: string;
}

/**
 * Builds the plan of one run. The primary metric comes first among the metrics, then the other
 * allowed metrics in the standards' order.
 *
 * @throws {Error} when the plan would not fit the contract (`runPlanSchema`): the configs were
 * validated, so that is a bug in mlp, and no supervisor may be given such a plan.
 */
export function buildRunPlan(inputs: RunPlanInputs): RunPlan {
  const { experiment, fingerprints } = inputs;
  const primary = experiment.protected.metric_definition;
  const types = hyperparameterTypes(experiment.hyperparameters, inputs.hyperparameterSpecs);
  const params: Record<string, string> = {
    ...flattenParams(experiment),
    ...hyperparameterParams(experiment.hyperparameters, types),
    feature_pipeline_version: fingerprints.feature_pipeline_hash,
    features_json: featuresJson(experiment.features),
    ...flattenParams(fingerprints),
  };
  for (const [key, value] of Object.entries(flattenParams(inputs.reasoning))) {
    params[`reasoning.${key}`] = value;
  }
  for (const [key, value] of Object.entries(inputs.agentParams ?? {})) {
    if (!key.startsWith("agent.")) {
      throw new Error(`buildRunPlan(): "${key}" is not an agent param`);
    }
    params[key] = value;
  }
  const src = inputs.projectSrc;
  for (const path of [src, inputs.dataset.dir, inputs.scratchDir, inputs.platformDir]) {
    if (!isProjectRelative(path)) {
      throw new Error(`buildRunPlan(): "${path}" is not project-relative`);
    }
  }
  const plan = runPlanSchema.safeParse({
    plan_version: PLAN_VERSION,
    experiment_name: `${experiment.client_name}/${experiment.project_name}`,
    // A person's --run-name wins; otherwise the name says what was tried (run_name.ts).
    run_name: inputs.runName ?? defaultRunName(inputs.reasoning),
    tags: {
      client_name: experiment.client_name,
      project_name: experiment.project_name,
      use_case: experiment.use_case,
      "mlp.config": inputs.configFile,
      "mlp.operator": inputs.operator,
      sandbox: inputs.sandbox,
      primary_metric: primary,
      ...(inputs.reproduces === undefined ? {} : { [REPRODUCES_TAG]: inputs.reproduces }),
    },
    params,
    dataset: {
      dir: inputs.dataset.dir,
      hash: fingerprints.dataset_hash,
      schema_hash: fingerprints.dataset_schema_hash,
      tables: inputs.dataset.tables,
    },
    training: {
      model_type: experiment.model_type,
      hyperparameters: experiment.hyperparameters,
      hyperparameter_types: types,
      random_seed: experiment.random_seed,
      features: experiment.features,
      target_column: experiment.protected.target_column,
      date_column: experiment.protected.date_column ?? null,
      split_strategy: experiment.protected.split_strategy,
      n_splits: experiment.evaluation.n_splits,
      test_fraction: experiment.evaluation.test_fraction,
      threshold: experiment.evaluation.threshold,
      positive_class: experiment.protected.positive_class,
      metrics: [primary, ...inputs.allowedMetrics.filter((metric) => metric !== primary)],
      primary_metric: primary,
    },
    sandbox: {
      mode: inputs.sandbox,
      read_paths: [src, inputs.dataset.dir, inputs.platformDir],
      write_paths: [],
    },
    project_src: src,
    scratch_dir: inputs.scratchDir,
    platform_dir: inputs.platformDir,
    comparison: inputs.comparison ?? null,
  });
  if (!plan.success) {
    const [issue] = plan.error.issues;
    throw new Error(
      `buildRunPlan(): the plan does not fit the contract: field "${
        issue.path.join(".")
      }": ${issue.message}`,
    );
  }
  return plan.data;
}

/**
 * `mlp run`: the single door through which an experiment is trained and recorded.
 *
 * Everything that can refuse does so before the supervisor starts, so a refused run leaves the
 * store, the datasets and the logs exactly as they were. Once the supervisor has created the
 * MLflow run, every outcome (finished, failed, interrupted) is recorded on that run.
 *
 * @module
 */
import { join } from "node:path";
import { CheckError, InputError } from "../errors.ts";
import { projectPaths } from "../project/paths.ts";
import { loadRunConfigs } from "../config/load.ts";
import { isAgentOperator } from "../config/reasoning.ts";
import { protectedMismatches, showProtected } from "../config/protected.ts";
import { verifyDataset } from "../cas/verify.ts";
import { gitState } from "../fingerprint/git.ts";
import { projectLockHash } from "../fingerprint/lock.ts";
import { diskReader, featurePipelineHash } from "../fingerprint/feature_hash.ts";
import { mlpBuild } from "../fingerprint/mlp_build.ts";
import {
  appendOverrideEntries,
  resolveOperator,
  verifyOverrideLog,
} from "../audit/override_log.ts";
import { attachRunNote } from "../merge/notes.ts";
import { checkTrackingServer } from "../tracking/health.ts";
import { MLP_VERSION } from "../version.ts";
import { materializePlatform } from "./platform.ts";
import { buildRunPlan, type SandboxMode } from "./plan.ts";
import { resolveTrackingTarget } from "./tracking_uri.ts";
import { runSupervisor } from "./supervisor.ts";
import type { RunStatus, SupervisorEvent } from "./events.ts";

/** Options of {@linkcode runExperiment}, as given on the command line. */
export interface RunOptions {
  root: string;
  config?: string;
  reasoning?: string;
  overrideProtected?: boolean;
  unsandboxed?: boolean;
  reason?: string;
  runName?: string;
  env: Record<string, string | undefined>;
  /** Progress lines for a person or an agent (stderr). */
  log: (line: string) => void;
}

/** The outcome of a run that reached MLflow. */
export interface RunOutcome {
  runId: string;
  experimentId: string;
  status: RunStatus;
  /** Metric name → value; `null` for a metric that is undefined (MLflow records NaN). */
  metrics: Record<string, number | null>;
  error: string | null;
  gitCommit: string;
  gitDirty: boolean;
  noteAttached: boolean;
  overrides: number;
  trackingUri: string;
}

/**
 * Validates, fingerprints and runs one experiment; returns once the MLflow run has ended.
 *
 * @throws {InputError} for invalid configs or flags (nothing recorded)
 * @throws {CheckError} for a refused check (nothing recorded), or an unverifiable sandbox
 */
export async function runExperiment(options: RunOptions): Promise<RunOutcome> {
  const { root, log } = options;
  const paths = projectPaths(root);
  checkEscapeHatchFlags(options);

  const agent = isAgentOperator(options.env);
  const configs = await loadRunConfigs(root, {
    config: options.config,
    reasoning: options.reasoning,
    agent,
  });
  const { experiment, standards, reasoning } = configs;
  log(`mlp: ${configs.files.experiment} and ${configs.files.reasoning} are valid`);

  const mismatches = protectedMismatches(experiment, standards);
  if (mismatches.length > 0 && !options.overrideProtected) {
    throw new CheckError(
      `Protected fields in "${configs.files.experiment}" differ from ${configs.files.standards}`,
      {
        details: mismatches.map((m) =>
          `${m.field}: standards say ${showProtected(m.expected, m.actual)}, config has ${
            m.actual === undefined ? "(missing)" : showProtected(m.actual, m.expected)
          }`
        ),
        hint:
          `restore the values from ${configs.files.standards}; a human-approved change runs with ` +
          `--override-protected --reason "<why>" and is recorded in logs/protected_overrides.log`,
      },
    );
  }
  if (options.overrideProtected && mismatches.length === 0) {
    log("mlp: --override-protected given but no protected field differs: nothing to override");
  }

  const tracking = resolveTrackingTarget(root, options.env.MLFLOW_TRACKING_URI);
  await checkTrackingServer(tracking.uri);

  const dataset = await verifyDataset(root, experiment.dataset_version);
  log(`mlp: dataset ${dataset.hash.slice(0, 12)} verified (${dataset.files.length} files)`);

  const git = await gitState(root);
  const lock = await projectLockHash(root);
  const features = await featurePipelineHash(diskReader(root), experiment.features);
  const sandbox: SandboxMode = options.unsandboxed ? "none" : "landlock";

  const overrideEntries = [
    ...(options.overrideProtected ? mismatches : []).map((m) => ({
      kind: "protected_override" as const,
      field: m.field,
      old: m.expected,
      new: m.actual ?? null,
    })),
    ...(sandbox === "none"
      ? [{ kind: "unsandboxed" as const, field: "sandbox", old: "landlock", new: "none" }]
      : []),
  ];
  const operator = await resolveOperator(root, options.env);
  if (overrideEntries.length > 0) await refuseBrokenOverrideLog(paths.overrideLog);

  const platformDir = await materializePlatform(paths.state);
  const runDir = await newRunDir(paths.state);
  const plan = buildRunPlan({
    root,
    configFile: configs.files.experiment,
    experiment,
    reasoning,
    allowedMetrics: standards.allowed_metrics,
    hyperparameterSpecs: standards.hyperparameters[experiment.model_type],
    fingerprints: {
      git_commit: git.commit,
      git_dirty: git.dirty,
      dataset_hash: dataset.hash,
      dataset_schema_hash: dataset.schemaHash,
      dependency_lock_hash: lock,
      feature_pipeline_hash: features.hash,
      mlp_version: MLP_VERSION,
      mlp_build: await mlpBuild(),
    },
    dataset: { dir: dataset.dir, tables: dataset.tables },
    trackingUri: tracking.uri,
    artifactLocation: tracking.artifactLocation,
    operator,
    sandbox,
    scratchDir: join(runDir, "scratch"),
    platformDir,
    runName: options.runName,
  });
  const planPath = join(runDir, "plan.json");
  await Deno.writeTextFile(planPath, JSON.stringify(plan, null, 2) + "\n");
  log(`mlp: git ${git.commit.slice(0, 12)}${git.dirty ? " (dirty)" : ""}, sandbox ${sandbox}`);

  let created: Extract<SupervisorEvent, { event: "run_created" }> | undefined;
  let result;
  try {
    result = await runSupervisor({
      root,
      planPath,
      platformDir,
      onEvent: async (event) => {
        if (event.event !== "run_created") return;
        created = event;
        log(`mlp: MLflow run ${event.run_id} started (experiment ${event.experiment_id})`);
        if (overrideEntries.length === 0) return;
        await appendOverrideEntries(
          root,
          overrideEntries.map((entry) => ({
            ts: new Date().toISOString(),
            ...entry,
            operator,
            config: configs.files.experiment,
            reason: options.reason ?? "",
            commit: git.commit,
            run_id: event.run_id,
          })),
        );
      },
    });
  } catch (error) {
    // The supervisor never started (uv missing): like a refusal, it leaves nothing behind.
    if (!created) await Deno.remove(runDir, { recursive: true });
    throw error;
  }

  const refused = result.events.find((e) => e.event === "refused");
  if (refused && refused.event === "refused") {
    await Deno.remove(runDir, { recursive: true });
    throw refusal(refused.reason, refused.message, tracking.uri);
  }
  const finished = result.events.find((e) => e.event === "finished");
  if (!created || !finished || finished.event !== "finished") {
    throw new CheckError(
      `The supervisor exited with code ${result.code} before ${
        created ? "ending" : "creating"
      } the MLflow run`,
      {
        hint: `its output is above; the run directory "${runDir}" holds the plan` +
          (created ? `; run ${created.run_id} may need \`mlflow runs\` attention` : ""),
      },
    );
  }

  let noteAttached = false;
  if (finished.status === "FINISHED" && !git.dirty) {
    await attachRunNote(root, git.commit, finished.run_id, operator);
    noteAttached = true;
  }
  if (finished.status === "FINISHED") await Deno.remove(runDir, { recursive: true });

  return {
    runId: finished.run_id,
    experimentId: created.experiment_id,
    status: finished.status,
    metrics: finished.metrics ?? {},
    error: finished.error ?? null,
    gitCommit: git.commit,
    gitDirty: git.dirty,
    noteAttached,
    overrides: overrideEntries.length,
    trackingUri: tracking.uri,
  };
}

/** Turns a supervisor refusal (nothing was recorded) into the error the user sees. */
function refusal(reason: string, message: string, trackingUri: string): Error {
  switch (reason) {
    case "sandbox_unavailable":
      return new CheckError(`The training sandbox cannot be set up: ${message}`, {
        hint: "on a machine without Landlock (Linux 6.7+), run with --unsandboxed --reason " +
          '"<why>"; the run records sandbox=none and the override log records who and why',
      });
    case "tracking_unavailable":
      return new CheckError(`The MLflow store "${trackingUri}" cannot record the run: ${message}`, {
        hint: "check MLFLOW_TRACKING_URI (unset it to use the project's mlflow.db) and that the " +
          "server is up; nothing was recorded and no project code ran",
      });
    default:
      // invalid_plan and anything newer: mlp wrote a plan its own supervisor refuses, a bug
      // (src/main.ts reports a plain Error with its stack and exit code 70).
      return new Error(`The supervisor refused the run plan (${reason}): ${message}`);
  }
}

function checkEscapeHatchFlags(options: RunOptions): void {
  const needsReason = options.overrideProtected || options.unsandboxed;
  if (needsReason && (!options.reason || options.reason.trim() === "")) {
    const flag = options.overrideProtected ? "--override-protected" : "--unsandboxed";
    throw new InputError(`${flag} requires --reason`, {
      hint: `say why, for the audit log: ${flag} --reason "approved by <who>: <why>"`,
    });
  }
  if (!needsReason && options.reason !== undefined) {
    throw new InputError("--reason is only used with --override-protected or --unsandboxed", {
      hint: "remove --reason, or add the escape hatch it explains",
    });
  }
}

async function refuseBrokenOverrideLog(path: string): Promise<void> {
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const { problems } = verifyOverrideLog(text, "logs/protected_overrides.log");
  if (problems.length > 0) {
    throw new CheckError("The override log's hash chain is broken; no override can be recorded", {
      details: problems.map((p) => `logs/protected_overrides.log:${p.line}: ${p.message}`),
      hint:
        "restore the log from git (`git checkout -- logs/protected_overrides.log`), then run `mlp log verify`",
    });
  }
}

async function newRunDir(stateDir: string): Promise<string> {
  const runs = join(stateDir, "runs");
  await Deno.mkdir(runs, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
  return await Deno.makeTempDir({ dir: runs, prefix: `${stamp}-` });
}

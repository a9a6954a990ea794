/**
 * `mlp run`: the single door through which an experiment is trained and recorded.
 *
 * Everything that can refuse does so before the supervisor starts, so a refused run leaves the
 * store, the datasets and the logs exactly as they were. Once the supervisor has created the
 * MLflow run, every outcome (finished, failed, interrupted) is recorded on that run.
 *
 * @module
 */
import { join, relative } from "node:path";
import { CheckError, InputError, InterruptedError } from "../errors.ts";
import { projectPaths } from "../project/paths.ts";
import { loadRunConfigs } from "../config/load.ts";
import { isAgentOperator } from "../config/reasoning.ts";
import {
  NEW_REFERENCE,
  protectedMismatches,
  showProtected,
  uncommittedNote,
} from "../config/protected.ts";
import { committedReference, readCommitted } from "../config/committed.ts";
import { checkDatasetColumns } from "../config/check_dataset_columns.ts";
import { verifyDataset } from "../cas/verify.ts";
import { gitState } from "../fingerprint/git.ts";
import { projectLockHash } from "../fingerprint/lock.ts";
import { diskCode, projectCodeHash } from "../fingerprint/code_hash.ts";
import {
  diskReader,
  type FeaturePipelineHash,
  featurePipelineHash,
} from "../fingerprint/feature_hash.ts";
import { type CodeSnapshot, takeCodeSnapshot } from "./code_snapshot.ts";
import { checkEnvironment, projectEnvironment } from "../venv/check.ts";
import { mlpBuild } from "../fingerprint/mlp_build.ts";
import { planApproval } from "../audit/approvals.ts";
import {
  appendOverrideEntries,
  resolveOperator,
  verifyOverrideLog,
} from "../audit/override_log.ts";
import { attachRunNote } from "../merge/notes.ts";
import { checkTrackingServer } from "../tracking/health.ts";
import { MLP_VERSION } from "../version.ts";
import { materializePlatform } from "./platform.ts";
import { buildRunPlan, type RunPlanInputs } from "./plan.ts";
import { resolveTrackingUri } from "./tracking_uri.ts";
import { redactUri } from "../tracking/redact.ts";
import { runSupervisor, type SupervisorResult } from "./supervisor.ts";
import type { OutcomeReport, SupervisorEvent } from "../contract/events.ts";
import { openBaselineStore, recordedComparison, selectComparison } from "../outcome/select.ts";
import type { RunStatus, SandboxMode } from "../contract/lists.ts";
import type { Comparison } from "../contract/plan.ts";
import { RunInterrupts } from "./interrupts.ts";
import { corruptStoreRefusal, refuseUnusableStoreFile } from "./store_file.ts";
import { closeRunDir, createRunDir, recordRunId } from "../runs/run_dirs.ts";
import { reconcileExistingStore } from "../runs/open_store.ts";
import { type CostFlagText, parseCostFlags } from "../cost/agent_params.ts";
import { resolveAgentCost } from "../cost/agent_cost.ts";
import { checkAgentBudget } from "../cost/budget_check.ts";
import {
  describeExit,
  endAbandonedRun,
  type FinishedEvent,
  refusal,
} from "./supervisor_outcome.ts";

/** Options of {@linkcode runExperiment}, as given on the command line. */
export interface RunOptions {
  root: string;
  config?: string;
  reasoning?: string;
  overrideProtected?: boolean;
  unsandboxed?: boolean;
  reason?: string;
  /** `--sign-key`: the approver's SSH key that signs an override (src/audit/approvals.ts). */
  signKey?: string;
  runName?: string;
  /** `--tokens-used`, `--estimated-cost`, `--agent-model` as given (checked before anything). */
  cost?: CostFlagText;
  env: Record<string, string | undefined>;
  /** Progress lines for a person or an agent (stderr). */
  log: (line: string) => void;
  /** Set by `mlp reproduce`: this run reproduces another one (src/reproduce/). */
  reproduction?: ReproductionOptions;
}

/**
 * What makes a run a reproduction: it is tagged with the run it reproduces, judged against the
 * same baseline as that run was (its recorded plan's `comparison`), and attaches no git note, so
 * it never stands in the merge gate for the run it checks.
 */
export interface ReproductionOptions {
  runId: string;
  /** The recorded plan's `comparison` (`null`: that run was judged against nothing). */
  comparison: Comparison | null;
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
  /** The store, with user info and secret query values redacted (`redactUri`). */
  trackingUri: string;
  /** The signal that interrupted mlp while the run was in progress, if one did. */
  interrupted: Deno.Signal | null;
  /** The outcome against the baseline (docs/outcome.md) of a FINISHED run, else `null`. */
  outcome: OutcomeReport | null;
}

/**
 * Validates, fingerprints and runs one experiment; returns once the MLflow run has ended.
 *
 * A signal (SIGINT, SIGTERM, SIGHUP) before the supervisor starts ends the command with nothing
 * recorded; after, the supervisor ends the run KILLED. Should the supervisor die without ending
 * the run it created, mlp ends it KILLED itself.
 *
 * @throws {InputError} for invalid configs or flags (nothing recorded)
 * @throws {CheckError} for a refused check (nothing recorded), or an unverifiable sandbox
 * @throws {InterruptedError} when a signal arrived before the run was recorded
 */
export async function runExperiment(options: RunOptions): Promise<RunOutcome> {
  const interrupts = new RunInterrupts();
  try {
    return await runInterruptibly(options, interrupts);
  } finally {
    interrupts.dispose();
  }
}

async function runInterruptibly(
  options: RunOptions,
  interrupts: RunInterrupts,
): Promise<RunOutcome> {
  const { root, log } = options;
  const paths = projectPaths(root);
  checkEscapeHatchFlags(options);
  const costFlags = parseCostFlags(options.cost ?? {});

  const agent = isAgentOperator(options.env);
  const configs = await interrupts.guard(loadRunConfigs(root, {
    config: options.config,
    reasoning: options.reasoning,
    agent,
  }));
  const { experiment, standards, reasoning } = configs;
  log(`mlp: ${configs.files.experiment} and ${configs.files.reasoning} are valid`);

  // Reference values come from the standards as committed: an uncommitted edit of them moves
  // nothing, so editing the standards with the config still needs the override.
  const committed = await interrupts.guard(readCommitted(root));
  const reference = await interrupts.guard(
    committedReference(committed, standards, configs.files.standards),
  );
  const mismatches = protectedMismatches(experiment, reference.standards);
  if (mismatches.length > 0 && !options.overrideProtected) {
    const say = committed.head === null ? "standards say" : "standards at HEAD say";
    throw new CheckError(
      `Protected fields in "${configs.files.experiment}" differ from ${reference.label}`,
      {
        details: mismatches.map((m) =>
          `${m.field}: ${say} ${showProtected(m.expected, m.actual)}, config has ${
            m.actual === undefined ? "(missing)" : showProtected(m.actual, m.expected)
          }${uncommittedNote(m, reference)}`
        ),
        hint: `restore the values from ${reference.label}; a human-approved change runs with ` +
          `--override-protected --reason "<why>" and is recorded in logs/protected_overrides.log` +
          (committed.head === null ? "" : `; ${NEW_REFERENCE}`),
      },
    );
  }
  if (options.overrideProtected && mismatches.length === 0) {
    log("mlp: --override-protected given but no protected field differs: nothing to override");
  }

  await interrupts.guard(checkDatasetColumns(root, configs));
  const trackingUri = resolveTrackingUri(options.env.MLFLOW_TRACKING_URI);
  await interrupts.guard(checkTrackingServer(trackingUri));
  await refuseUnusableStoreFile(root, trackingUri);
  await interrupts.guard(reconcileExistingStore(root, options.env, trackingUri, log));
  if (agent) {
    await interrupts.guard(checkAgentBudget({
      root,
      env: options.env,
      trackingUri,
      working: standards,
      committedText: await committed.text(configs.files.standards),
      file: configs.files.standards,
      client: experiment.client_name,
      project: experiment.project_name,
      now: Date.now(),
    }));
  }

  const dataset = await interrupts.guard(verifyDataset(root, experiment.dataset_version));
  log(`mlp: dataset ${dataset.hash.slice(0, 12)} verified (${dataset.files.length} files)`);

  const git = await interrupts.guard(gitState(root));
  const lock = await interrupts.guard(projectLockHash(root));
  const environment = projectEnvironment(root, options.env);
  const venv = await interrupts.guard(checkEnvironment(root, environment));
  if (venv !== null) {
    log(
      `mlp: environment "${venv.env}" matches uv.lock (${venv.files} files, ${venv.hashed} hashed)`,
    );
  }
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
  // Who approves is settled before anything runs: an override that cannot be signed is refused
  // with nothing recorded.
  const approval = options.overrideProtected && mismatches.length > 0
    ? await planApproval({ root, operator, kind: "override", signKey: options.signKey })
    : null;
  if (approval !== null && !approval.signed) log(approval.warning);

  const agentCost = await interrupts.guard(resolveAgentCost({
    root,
    env: options.env,
    agent,
    flags: costFlags,
    pricing: standards.agent_pricing,
    now: Date.now(),
  }));
  for (const note of agentCost.notes) log(note);
  const platformDir = await interrupts.guard(materializePlatform(paths.state));
  const runDir = await createRunDir(root);
  let snapshot: CodeSnapshot;
  let features: FeaturePipelineHash;
  let code: { hash: string };
  try {
    // What runs is what is hashed: the trainer imports the snapshot, and both code hashes are
    // taken of the snapshot's bytes, never of the live src/ an editor may change meanwhile.
    snapshot = await interrupts.guard(takeCodeSnapshot(root, runDir.relative, git));
    const snapshotRoot = join(root, snapshot.root);
    features = await interrupts.guard(
      featurePipelineHash(diskReader(snapshotRoot), experiment.features),
    );
    code = await interrupts.guard(projectCodeHash(diskCode(snapshotRoot)));
  } catch (error) {
    await closeRunDir(root, runDir, "none");
    throw error;
  }
  log(
    `mlp: code snapshot ${code.hash.slice(0, 12)} taken from ${
      snapshot.from === "HEAD" ? "HEAD" : "the work tree (dirty)"
    }`,
  );
  const planInputs: RunPlanInputs = {
    configFile: configs.files.experiment,
    experiment,
    reasoning,
    allowedMetrics: standards.allowed_metrics,
    hyperparameterSpecs: standards.hyperparameters[experiment.model_type],
    fingerprints: {
      git_commit: git.commit,
      git_dirty: git.dirty,
      git_diff_hash: snapshot.diffHash,
      dataset_hash: dataset.hash,
      dataset_schema_hash: dataset.schemaHash,
      dependency_lock_hash: lock,
      feature_pipeline_hash: features.hash,
      project_code_hash: code.hash,
      mlp_version: MLP_VERSION,
      mlp_build: await mlpBuild(),
    },
    dataset: { dir: relative(root, dataset.dir), tables: dataset.tables },
    operator,
    sandbox,
    scratchDir: `${runDir.relative}/scratch`,
    projectSrc: snapshot.src,
    platformDir: relative(root, platformDir),
    runName: options.runName,
    agentParams: agentCost.params,
    reproduces: options.reproduction?.runId,
  };
  let plan = buildRunPlan(planInputs);
  try {
    // The baseline is chosen from what the plan logs (protected fields, dataset hash, folds).
    const metric = plan.training.primary_metric;
    const direction = standards.metric_directions[metric];
    if (direction === undefined) throw new Error(`no direction for "${metric}": a bug in mlp`);
    const reader = await openBaselineStore(trackingUri, root, options.env);
    try {
      // A reproduction is judged as the run it reproduces was: against the same baseline.
      const recorded = options.reproduction?.comparison;
      const comparison = recorded !== undefined
        ? recorded === null || reader === null
          ? recorded
          : await interrupts.guard(recordedComparison(reader, recorded, root, runDir.relative))
        : await interrupts.guard(selectComparison({
          reader,
          experimentName: plan.experiment_name,
          params: plan.params,
          metric,
          direction,
          thresholds: standards.outcome,
          root,
          runDir: runDir.relative,
        }));
      plan = buildRunPlan({ ...planInputs, comparison });
    } finally {
      reader?.close();
    }
  } catch (error) {
    await closeRunDir(root, runDir, "none");
    throw corruptStoreRefusal(root, trackingUri, error);
  }
  let created: Extract<SupervisorEvent, { event: "run_created" }> | undefined;
  let result: SupervisorResult;
  try {
    await Deno.writeTextFile(join(runDir.path, "plan.json"), JSON.stringify(plan, null, 2) + "\n");
    log(`mlp: git ${git.commit.slice(0, 12)}${git.dirty ? " (dirty)" : ""}, sandbox ${sandbox}`);
    for (const reason of git.dirtyReasons.slice(0, 10)) log(`mlp: dirty: ${reason}`);
    if (git.dirtyReasons.length > 10) {
      log(`mlp: dirty: and ${git.dirtyReasons.length - 10} more`);
    }
    interrupts.check();
    result = await runSupervisor({
      root,
      planPath: `${runDir.relative}/plan.json`,
      platformDir,
      trackingUri,
      environment,
      interrupts,
      onEvent: async (event) => {
        if (event.event !== "run_created") return;
        created = event;
        await recordRunId(runDir, event.run_id);
        log(`mlp: MLflow run ${event.run_id} started (experiment ${event.experiment_id})`);
        // The run is recorded: the session's messages so far are its. A state file that cannot
        // be written costs the next run a double count, never this run.
        await agentCost.markCounted?.().catch((error) =>
          log(`mlp: warning: the agent session's state was not saved: ${error.message}`)
        );
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
          approval?.signer,
        );
      },
    });
  } catch (error) {
    if (!created) await closeRunDir(root, runDir, "none");
    throw error;
  }

  const refused = result.events.find((e) => e.event === "refused");
  if (refused && refused.event === "refused") {
    await closeRunDir(root, runDir, "none");
    throw refusal(refused, trackingUri);
  }
  const unended = result.events.find((e) => e.event === "unended");
  if (unended?.event === "unended") {
    // The store refused the end state: the run stays RUNNING until `mlp runs repair` ends it.
    await closeRunDir(root, runDir, "FAILED");
    throw new CheckError(`Run ${unended.run_id} could not be ended: ${unended.message}`, {
      hint: unended.hint,
    });
  }
  const reported = result.events.find((e): e is FinishedEvent => e.event === "finished");
  if (!created) {
    // The supervisor died before it could say that the run exists; if it had created one, the
    // run carries a dead owner now and is ended like any abandoned run.
    await closeRunDir(root, runDir, "none");
    await reconcileExistingStore(root, options.env, trackingUri, log);
    if (interrupts.received) {
      throw new InterruptedError(
        `Interrupted by ${interrupts.received} before the run was recorded`,
        { hint: "run `mlp run` again when you are ready" },
      );
    }
    throw new CheckError(
      `The supervisor ${describeExit(result)} before creating the MLflow run`,
      { hint: "its output is above; fix the cause and run again (nothing was recorded)" },
    );
  }
  const finished = reported ??
    await endAbandonedRun(root, trackingUri, created.run_id, result, interrupts);
  await closeRunDir(root, runDir, finished.status);

  let noteAttached = false;
  // A reproduction is a run of its own, but it must not stand in for the run it checks: the
  // merge gate reads notes, and a note is what would make this run prove the commit.
  if (finished.status === "FINISHED" && !git.dirty && !options.reproduction) {
    await attachRunNote(root, git.commit, finished.run_id, operator, finished.seal);
    noteAttached = true;
  }

  return {
    runId: finished.run_id,
    experimentId: created.experiment_id,
    status: finished.status,
    metrics: finished.metrics,
    error: finished.error,
    gitCommit: git.commit,
    gitDirty: git.dirty,
    noteAttached,
    overrides: overrideEntries.length,
    trackingUri: redactUri(trackingUri),
    interrupted: interrupts.received,
    outcome: finished.status === "FINISHED" ? finished.outcome : null,
  };
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
  if (options.signKey !== undefined && !options.overrideProtected) {
    throw new InputError("--sign-key is only used with --override-protected", {
      hint: "an approver signs an override: remove --sign-key, or add --override-protected",
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

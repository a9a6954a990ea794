/**
 * `mlp reproduce RUN_ID`: the run made again from its record alone, and compared with it
 * (docs/audit.md, "Reproducing a run").
 *
 * The record names everything a run depends on: the commit (on a clean tree), the uv.lock hash,
 * the dataset and schema hashes, the mlp build and, in its `mlp/plan.json` artifact, the baseline
 * it was judged against. Every check that can refuse is made before anything is installed or
 * trained: a run that is not FINISHED or was made on a dirty tree, another mlp build (unless
 * `--any-mlp`), a commit whose uv.lock does not hash to the recorded value, a dataset that is
 * missing or changed. Then the commit is checked out in a temporary worktree, its lock is
 * installed into a scratch environment, and `mlp run` runs there with the run's config, recorded
 * in the same store as a run of its own: tagged `mlp.reproduces` (sealed), then
 * `mlp.reproduction_verdict`. It attaches no git note: it does not prove the commit in the merge
 * gate in place of the run it checks, and it writes no override-log entry (it uses no escape
 * hatch). The worktree and the environment are removed on every path, an interrupt included.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { CheckError, InputError, InterruptedError } from "../errors.ts";
import { type Comparison, comparisonSchema } from "../contract/plan.ts";
import { REPRODUCTION_TAGS, type ReproductionVerdict } from "../contract/lists.ts";
import { parseEventLine, taggedEventSchema } from "../contract/events.ts";
import { gateStoreUri } from "../merge/gate_store.ts";
import { openStore } from "../runs/open_store.ts";
import { runAdmin } from "../runs/run_admin.ts";
import { resolveTrackingUri } from "../run/tracking_uri.ts";
import { sqliteFile } from "../run/store_file.ts";
import { RunInterrupts } from "../run/interrupts.ts";
import { runExperiment, type RunOutcome } from "../run/run_experiment.ts";
import { lockHash } from "../fingerprint/lock.ts";
import { mlpBuild } from "../fingerprint/mlp_build.ts";
import { verifyDataset } from "../cas/verify.ts";
import { validateDatasetVersion } from "../cas/dataset_id.ts";
import { projectPaths } from "../project/paths.ts";
import { checkSeal } from "../tracking/seal.ts";
import { notedSeal } from "../audit/override_anchor.ts";
import type { RunReader, RunRecord } from "../tracking/run_record.ts";
import { type ComparedRun, compareRuns, type Difference } from "./compare.ts";
import {
  createScratch,
  keepArtifacts,
  placeDataset,
  removeAbandonedScratches,
  removeScratch,
  type Scratch,
  syncEnvironment,
} from "./scratch.ts";

/** Options of {@linkcode reproduceRun}, as given on the command line. */
export interface ReproduceOptions {
  root: string;
  runId: string;
  /** Where to find the dataset by its hash; the project's `data/shadow/` by default. */
  dataDir?: string;
  /** Go on with an mlp build other than the run's (`--any-mlp`). */
  anyMlp?: boolean;
  env: Record<string, string | undefined>;
  /** Progress lines (stderr). */
  log: (line: string) => void;
}

/** The verdict of a reproduction, as `mlp reproduce --json` prints it. */
export interface ReproductionReport {
  /** The run reproduced. */
  runId: string;
  /** The run the reproduction recorded. */
  reproductionRunId: string;
  verdict: ReproductionVerdict;
  /** The mlp build each run was made with. */
  mlpBuild: { original: string; reproduction: string };
  /** How many values were compared. */
  compared: number;
  /** Metrics not compared: the timings, which measure the machine. */
  ignored: string[];
  differences: Difference[];
}

/** The record's params a reproduction starts from (`mlp run` logs every one of them). */
const REQUIRED_PARAMS = [
  "git_commit",
  "git_dirty",
  "dependency_lock_hash",
  "dataset_hash",
  "mlp_build",
] as const;

/** The artifact that holds the plan a run was made with (`mlp_platform/recording.py`). */
const PLAN_ARTIFACT = "mlp/plan.json";

/**
 * Reproduces the run `runId` and compares the two records.
 *
 * @throws {InputError} when `--data` is not a directory
 * @throws {CheckError} when the run cannot be reproduced (each refusal says why and how to proceed),
 *   nothing recorded then
 * @throws {InterruptedError} when a signal arrived: before the run, nothing was recorded; during
 *   it, the reproduction is recorded KILLED (and has no verdict)
 */
export async function reproduceRun(options: ReproduceOptions): Promise<ReproductionReport> {
  const { root, runId, log } = options;
  for (const left of await removeAbandonedScratches(root)) {
    log(`mlp: removed ${left}, left by a reproduction that was killed`);
  }
  const storeUri = resolveTrackingUri(await gateStoreUri(root, options.env));
  const reader = await openStore(root, { ...options.env, MLFLOW_TRACKING_URI: storeUri }, log);
  try {
    const run = await readReproducible(reader, runId);
    const commit = run.params.git_commit;
    log(`mlp: run ${runId} was made at ${commit.slice(0, 12)} on a clean tree`);
    const build = await checkBuild(run, options);
    const comparison = await recordedComparison(reader, run);
    const seal = await checkSeal(reader, run, await notedSeal(root, run));
    for (const problem of seal) log(`mlp: warning: the run's seal does not hold: ${problem}`);
    const dataDir = await datasetsDir(root, options.dataDir);

    const interrupts = new RunInterrupts();
    let recorded = false;
    try {
      const scratch = await createScratch(root, runId, commit, interrupts);
      try {
        log(`mlp: checked out ${commit.slice(0, 12)} in a temporary worktree`);
        await checkLock(scratch, run);
        const dataset = await interrupts.guard(findDataset(root, dataDir, run, options.dataDir));
        await interrupts.guard(placeDataset(scratch, dataset, run.params.dataset_hash));
        log("mlp: installing the run's uv.lock into a scratch environment (uv sync --locked)");
        await syncEnvironment(scratch, interrupts);
        // From here on mlp run's own handling of signals takes over: the run ends KILLED.
        interrupts.forwardTo(() => {});
        const outcome = await reproduce(scratch, run, storeUri, comparison, options);
        recorded = true;
        if (outcome.interrupted) {
          throw new InterruptedError(
            `Interrupted by ${outcome.interrupted}: the reproduction ${outcome.runId} is recorded ` +
              `${outcome.status}, with no verdict`,
            { hint: `run \`mlp reproduce ${runId}\` again when you are ready` },
          );
        }
        const made = await reader.getRun(outcome.runId);
        if (made === null) {
          throw new Error(`run ${outcome.runId} is not in the store: a bug in mlp`);
        }
        const result = compareRuns(
          await comparedRun(reader, run),
          await comparedRun(reader, made),
        );
        await tagVerdict(root, storeUri, made.runId, result.verdict);
        return {
          runId,
          reproductionRunId: made.runId,
          verdict: result.verdict,
          mlpBuild: { original: run.params.mlp_build, reproduction: build },
          compared: result.compared,
          ignored: result.ignored,
          differences: result.differences,
        };
      } finally {
        await removeScratch(root, scratch);
      }
    } catch (error) {
      if (!(error instanceof InterruptedError) || recorded) throw error;
      throw new InterruptedError(
        `Interrupted by ${interrupts.received} before the reproduction was recorded: nothing ` +
          "was, and the temporary worktree is removed",
        { hint: `run \`mlp reproduce ${runId}\` again when you are ready` },
      );
    } finally {
      interrupts.dispose();
    }
  } finally {
    reader.close();
  }
}

/**
 * The run, when its record can be reproduced: in the store, FINISHED, made on a clean tree by
 * `mlp run` (the fingerprints it logs are there).
 */
async function readReproducible(reader: RunReader, runId: string): Promise<RunRecord> {
  const run = await reader.getRun(runId);
  if (run === null) {
    throw new CheckError(`Run ${runId} is not in the store (${reader.location})`, {
      hint: "give the ID of a run of this project's store (`mlp query` lists them)",
    });
  }
  if (run.status !== "FINISHED") {
    throw new CheckError(`Run ${runId} is ${run.status}, not FINISHED: it cannot be reproduced`, {
      hint: "only a finished run has results to compare; reproduce a FINISHED run",
    });
  }
  const missing = REQUIRED_PARAMS.filter((name) => run.params[name] === undefined);
  if (missing.length > 0) {
    throw new CheckError(
      `Run ${runId} has no ${missing.map((name) => `"${name}"`).join(", ")} param: it was not ` +
        "recorded by `mlp run`, so nothing says what to reproduce",
      { hint: "reproduce a run that `mlp run` recorded" },
    );
  }
  if (run.params.git_dirty !== "false") {
    throw new CheckError(
      `Run ${runId} was made on a dirty tree (git_dirty=${run.params.git_dirty}): no commit holds ` +
        "the code it ran, so it cannot be reproduced",
      { hint: "commit the change and run it again with `mlp run`; that run can be reproduced" },
    );
  }
  if (run.tags["mlp.config"] === undefined) {
    throw new CheckError(`Run ${runId} has no "mlp.config" tag: the config it ran is unknown`, {
      hint: "reproduce a run that `mlp run` recorded",
    });
  }
  return run;
}

/** This mlp's build, refused when it is not the run's unless `--any-mlp`. */
async function checkBuild(run: RunRecord, options: ReproduceOptions): Promise<string> {
  const build = await mlpBuild();
  const recorded = run.params.mlp_build;
  if (build === recorded) return build;
  if (!options.anyMlp) {
    throw new CheckError(
      `Run ${run.runId} was made with mlp build "${recorded}"; this mlp is build "${build}"`,
      {
        details: [
          "the platform Python of the build decides the splits, the fitting and the metrics",
        ],
        hint: "reproduce with the mlp of that build, or pass --any-mlp to reproduce with this " +
          "one (the build then differs in the comparison)",
      },
    );
  }
  options.log(
    `mlp: warning: the run was made with mlp build "${recorded}"; reproducing with "${build}" ` +
      "(--any-mlp)",
  );
  return build;
}

/** The baseline the run was judged against, from its recorded plan. */
async function recordedComparison(reader: RunReader, run: RunRecord): Promise<Comparison | null> {
  const bytes = await reader.readArtifact(run.runId, PLAN_ARTIFACT);
  if (bytes === null) {
    throw new CheckError(`Run ${run.runId} has no ${PLAN_ARTIFACT} artifact`, {
      hint: "the plan a run was made with is its record of what was asked; reproduce a run " +
        "that has it",
    });
  }
  let plan: unknown;
  try {
    plan = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    plan = undefined;
  }
  const parsed = comparisonSchema.nullable().default(null).safeParse(
    (plan as { comparison?: unknown } | undefined)?.comparison,
  );
  if (plan === undefined || typeof plan !== "object" || !parsed.success) {
    throw new CheckError(`Run ${run.runId}'s ${PLAN_ARTIFACT} is not a plan this mlp reads`, {
      hint: "reproduce it with the mlp build that made it",
    });
  }
  return parsed.data;
}

/** The directory the dataset is looked for in. */
async function datasetsDir(root: string, given: string | undefined): Promise<string> {
  if (given === undefined) return projectPaths(root).shadow;
  const dir = resolve(Deno.cwd(), given);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new InputError(`--data "${given}" does not exist`, {
      hint: "give the directory that holds the dataset's <hash>/ directory",
    });
  }
  if (!info.isDirectory) {
    throw new InputError(`--data "${given}" is not a directory`, {
      hint: "give the directory that holds the dataset's <hash>/ directory",
    });
  }
  return dir;
}

/** The run's dataset in `dir`, verified byte for byte (src/cas/verify.ts). */
async function findDataset(
  root: string,
  dir: string,
  run: RunRecord,
  given: string | undefined,
): Promise<string> {
  const hash = run.params.dataset_hash;
  validateDatasetVersion(hash);
  const where = given === undefined ? "data/shadow/" : `"${given}"`;
  try {
    await Deno.lstat(join(dir, hash));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new CheckError(`The run's dataset ${hash} is not in ${where}`, {
      hint: "give the directory that holds it with --data DIR (a copy of data/shadow/, " +
        "e.g. from a backup)",
    });
  }
  const dataset = await verifyDataset(root, hash, { shadow: dir });
  if (run.params.dataset_schema_hash !== undefined) {
    if (dataset.schemaHash !== run.params.dataset_schema_hash) {
      throw new CheckError(
        `The dataset's schema hashes to "${dataset.schemaHash}", the run recorded ` +
          `"${run.params.dataset_schema_hash}"`,
        { hint: "this is not the dataset the run read; find the one it did (--data DIR)" },
      );
    }
  }
  return dataset.dir;
}

/** The worktree's uv.lock must hash to the run's `dependency_lock_hash`. */
async function checkLock(scratch: Scratch, run: RunRecord): Promise<void> {
  let actual: string;
  try {
    actual = lockHash(await Deno.readFile(join(scratch.worktree, "uv.lock")));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    actual = "(no uv.lock)";
  }
  const recorded = run.params.dependency_lock_hash;
  if (actual !== recorded) {
    throw new CheckError(
      `At the run's commit ${run.params.git_commit.slice(0, 12)} it hashes to "${actual}"; the ` +
        `run recorded dependency_lock_hash "${recorded}"`,
      {
        location: { file: "uv.lock" },
        hint: "the run's record and its commit disagree: its environment cannot be rebuilt " +
          "from the commit (`mlp verify-run` checks the record)",
      },
    );
  }
}

/** `mlp run` in the worktree, recorded in the project's store. */
async function reproduce(
  scratch: Scratch,
  run: RunRecord,
  storeUri: string,
  comparison: Comparison | null,
  options: ReproduceOptions,
): Promise<RunOutcome> {
  // A SQLite store is named by its absolute path: the supervisor runs in the worktree.
  const file = sqliteFile(options.root, storeUri);
  const uri = file === null ? storeUri : `sqlite:///${file}`;
  try {
    return await runExperiment({
      root: scratch.worktree,
      config: run.tags["mlp.config"],
      runName: `reproduce ${run.runId.slice(0, 8)}`,
      env: {
        ...options.env,
        MLFLOW_TRACKING_URI: uri,
        UV_PROJECT_ENVIRONMENT: scratch.environment,
      },
      log: options.log,
      reproduction: { runId: run.runId, comparison },
    });
  } finally {
    // Whatever the run recorded stays with the store once the worktree is gone.
    await keepArtifacts(options.root, scratch);
  }
}

/** What the comparison reads of a run. */
async function comparedRun(reader: RunReader, run: RunRecord): Promise<ComparedRun> {
  return {
    status: run.status,
    params: run.params,
    metrics: run.metrics,
    history: await reader.getMetricHistory(run.runId),
  };
}

/** Sets `mlp.reproduction_verdict` on the reproduction (`run_admin tag`, from the project). */
async function tagVerdict(
  root: string,
  storeUri: string,
  runId: string,
  verdict: ReproductionVerdict,
): Promise<void> {
  const { lines, stderr, success } = await runAdmin(root, storeUri, "tag", {
    run_id: runId,
    tags: { [REPRODUCTION_TAGS[1]]: verdict },
  });
  const events = lines.map((line) => parseEventLine(taggedEventSchema, line, "run_admin"));
  if (!success || !events.some((event) => event?.run_id === runId)) {
    throw new CheckError(`Cannot set ${REPRODUCTION_TAGS[1]}=${verdict} on run ${runId}`, {
      details: stderr.trim().split("\n").slice(-5),
      hint: "check that the store is writable; the reproduction itself is recorded",
    });
  }
}

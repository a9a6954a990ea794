/**
 * `mlp promote RUN_ID --intended-use "…"` (docs/promotion.md): every check of `checks.ts` on the
 * run, the model scored in the sandbox, then the promotion written: first its entry in the
 * hash-chained audit log (`logs/protected_overrides.log`), so that no promotion is in the store
 * without one, then the card and the registry through `registry.ts`. A promotion interrupted after
 * its entry is finished by running the same command again.
 *
 * @module
 */
import { isAgentOperator } from "../config/reasoning.ts";
import { parseStandards } from "../config/standards.ts";
import { verifyDataset } from "../cas/verify.ts";
import type { VerifiedDataset } from "../cas/dataset.ts";
import {
  appendOverrideEntries,
  OVERRIDE_LOG,
  type OverrideEntry,
  resolveOperator,
  verifyOverrideLog,
} from "../audit/override_log.ts";
import { anchoredHashes } from "../audit/override_anchor.ts";
import { CARD_PARAM_PREFIX } from "../contract/lists.ts";
import { CheckError, InputError, MlpError } from "../errors.ts";
import { gitOutput, gitShow } from "../fingerprint/git.ts";
import { verifyRun } from "../merge/verify_run.ts";
import { projectPaths, STANDARDS_PATH } from "../project/paths.ts";
import type { RunReader, RunRecord } from "../tracking/run_record.ts";
import { cardParams, checkIntendedUse } from "./card_params.ts";
import {
  alreadyPromoted,
  escapeHatchChecks,
  type FailedCheck,
  protectedChecks,
  refusal,
  stateChecks,
} from "./checks.ts";
import { CARD_PARAMS, CHAMPION_ALIAS, PROMOTION_TAGS, registeredModelName } from "./names.ts";
import { register } from "./registry.ts";
import { modelHashes, scoreModel } from "./score_model.ts";
import { openPromotionStore } from "./store.ts";

/** What `mlp promote` was asked. */
export interface PromoteRequest {
  root: string;
  env: Record<string, string | undefined>;
  runId: string;
  intendedUse: string | undefined;
  /** Where progress lines go (stderr). */
  log: (line: string) => void;
}

/** A promotion done. */
export interface Promotion {
  runId: string;
  /** The registered model, `<client>.<project>`. */
  name: string;
  version: string;
  /** The champion's version before, or `null`. */
  previous: string | null;
  operator: string;
  /** The raw rows the model scored in the check. */
  scoredRows: number;
  /** Whether this call only finished a promotion begun before. */
  resumed: boolean;
}

/** The run-ID shape `mlp run` prints. */
export function checkRunId(runId: string): void {
  if (!/^[0-9a-f]{32}$/.test(runId)) {
    throw new InputError(`"${runId}" is not an MLflow run ID`, {
      hint: "a run ID is 32 lowercase hex characters, as `mlp run` printed it",
    });
  }
}

/** The refusal of an agent operator: promotion is a person's decision. */
export function agentRefusal(runId: string, action: string): CheckError {
  return refusal(runId, [{
    check: "operator",
    problem: `an AI agent cannot ${action} (MLP_AGENT, CLAUDECODE or CODEX_* is set)`,
    fix: "a person runs the command themselves; the agent may propose the run ID and the " +
      "intended use in its summary",
  }]);
}

/**
 * The main branch and its tip: `main`, or `master` when the repository has no `main`.
 *
 * @throws {CheckError} when the repository has neither.
 */
export async function mainBranch(root: string): Promise<{ branch: string; commit: string }> {
  for (const branch of ["main", "master"]) {
    const out = await gitOutput(root, [
      "rev-parse",
      "--verify",
      "--quiet",
      `refs/heads/${branch}^{commit}`,
    ]);
    if (out.code === 0) return { branch, commit: new TextDecoder().decode(out.stdout).trim() };
  }
  throw new CheckError("The repository has no main branch (neither `main` nor `master`)", {
    hint: "promotion takes a run whose commit is on the main branch: create it and merge into it",
  });
}

async function isAncestor(root: string, commit: string, of: string): Promise<boolean> {
  return (await gitOutput(root, ["merge-base", "--is-ancestor", commit, of])).code === 0;
}

/** Every check but the model's, on `run`; the verified dataset when its check passed. */
function runChecks(
  root: string,
  reader: RunReader,
  run: RunRecord,
): Promise<{ failed: FailedCheck[]; dataset: VerifiedDataset | null }> {
  const complete = run.tags[PROMOTION_TAGS.registeredVersion] !== undefined;
  return qualificationChecks(root, reader, run, alreadyPromoted(run, complete));
}

/**
 * The checks a run must pass to be promoted, and a promoted run to still qualify (`mlp audit`):
 * every check but "not promoted" (`prior` holds its result for a promotion) and the model's.
 *
 * @param prior Checks already failed; the commit's proof is not checked when there is one.
 * @returns The failed checks (`prior` first), and the verified dataset when its check passed.
 */
export async function qualificationChecks(
  root: string,
  reader: RunReader,
  run: RunRecord,
  prior: FailedCheck[] = [],
): Promise<{ failed: FailedCheck[]; dataset: VerifiedDataset | null }> {
  const failed = [...prior, ...stateChecks(run)];
  const commit = run.params.git_commit ?? "";
  if (failed.length === 0) {
    try {
      await verifyRun(root, { commit, runId: run.runId, reader });
    } catch (error) {
      if (!(error instanceof CheckError)) throw error;
      failed.push({
        check: "proves its commit",
        problem: error.details.map((d) => d.replace(/^run [0-9a-f]+: /, "")).join("; "),
        fix: "the same check as `mlp verify-run --commit <commit> --run <run>`: promote a run " +
          "made by `mlp run` at a commit of this project, whose record is unchanged",
      });
    }
  }
  const main = await mainBranch(root);
  if (!/^[0-9a-f]{40}$/.test(commit) || !(await isAncestor(root, commit, main.commit))) {
    failed.push({
      check: "on the main branch",
      problem: `commit "${commit.slice(0, 12)}" is not on ${main.branch}`,
      fix: `merge the run's branch into ${main.branch} through the merge gate ` +
        `(\`git merge --no-ff\` with "MLflow-Run: ${run.runId}"), then promote`,
    });
  }
  let dataset: VerifiedDataset | null = null;
  try {
    dataset = await verifyDataset(root, run.params.dataset_hash ?? "");
  } catch (error) {
    if (!(error instanceof MlpError)) throw error;
    failed.push({
      check: "dataset",
      problem: `dataset "${run.params.dataset_hash}" does not verify: ${error.message}` +
        error.details.map((d) => `; ${d}`).join(""),
      fix: error.hint ?? "restore the dataset (data/shadow/<hash>/) from a backup",
    });
  }
  const standardsText = await gitShow(root, main.commit, STANDARDS_PATH);
  if (standardsText === null) {
    failed.push({
      check: "protected fields",
      problem: `${main.branch} has no ${STANDARDS_PATH}`,
      fix: `commit the project's standards to ${main.branch}`,
    });
  } else {
    const standards = parseStandards(new TextDecoder().decode(standardsText), STANDARDS_PATH);
    failed.push(...protectedChecks(run, standards.protected_fields, main.branch));
  }
  failed.push(...escapeHatchChecks(run, (await anchoredHashes(reader, run.runId)).length));
  return { failed, dataset };
}

/** The card an interrupted promotion of this run logged (write-once), or `null`. */
function loggedCard(run: RunRecord): Record<string, string> | null {
  const card = Object.fromEntries(
    Object.entries(run.params).filter(([key]) => key.startsWith(CARD_PARAM_PREFIX)),
  );
  return Object.keys(card).length > 0 ? card : null;
}

/**
 * The last audit entry naming `runId` when it is of `kind`, or `null`: the entry of a `mlp promote`
 * or `--revoke` that was interrupted before the registry showed it finished (a missing log has
 * none; an unreadable one is an error).
 */
export async function pendingEntry(
  root: string,
  runId: string,
  kind: "promotion" | "promotion_revoked",
): Promise<OverrideEntry | null> {
  const text = await Deno.readTextFile(projectPaths(root).overrideLog).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  });
  const entries = verifyOverrideLog(text, OVERRIDE_LOG).entries.filter((e) => e.run_id === runId);
  const last = entries.at(-1);
  return last?.kind === kind ? last : null;
}

/**
 * Checks `request.runId` and promotes it.
 *
 * @throws {InputError} for a malformed run ID or intended use
 * @throws {CheckError} naming every failed check and its fix (nothing written), or when the
 *   registry refuses after the audit entry (then the same command finishes it)
 */
export async function promoteRun(request: PromoteRequest): Promise<Promotion> {
  const { root, env, runId, log } = request;
  checkRunId(runId);
  const intendedUse = checkIntendedUse(request.intendedUse);
  if (isAgentOperator(env)) throw agentRefusal(runId, "promote a model");
  const { reader, trackingUri } = await openPromotionStore(root, env, log);
  let run: RunRecord;
  let card: Record<string, string>;
  let scoredRows: number;
  let hashes: Record<string, string>;
  let pending: OverrideEntry | null;
  const operator = await resolveOperator(root, env);
  try {
    const found = await reader.getRun(runId);
    if (found === null) {
      throw new CheckError(`Run ${runId} is not in the store "${reader.location}"`, {
        hint: "give the run ID `mlp run` printed; runs are read from the store " +
          `${STANDARDS_PATH} names (tracking_store)`,
      });
    }
    run = found;
    const { failed, dataset } = await runChecks(root, reader, run);
    if (failed.length > 0) throw refusal(runId, failed);
    hashes = modelHashes(await reader.hashArtifacts(runId));
    log(`mlp promote: checks passed; scoring raw rows with the model in the sandbox`);
    const scored = await scoreModel(
      root,
      { reader, runId, hashes },
      dataset!,
      run.params["protected.target_column"] ?? "",
    );
    if (!scored.ok) {
      throw refusal(runId, [{
        check: "model scores",
        problem:
          `the model did not score ${scored.rows} raw rows of the dataset: ${scored.problem}`,
        fix: "fix src/features.py so that it handles every row of the dataset (a missing value, " +
          "an unknown category), run again, merge, and promote the new run",
      }]);
    }
    scoredRows = scored.rows;
    pending = await pendingEntry(root, runId, "promotion");
    const earlier = loggedCard(run);
    const asked = earlier?.[CARD_PARAMS.intendedUse] ?? pending?.reason;
    if (asked !== undefined && asked !== intendedUse) {
      throw new CheckError(
        `Run ${runId}'s interrupted promotion records the intended use "${asked}"`,
        {
          details: [
            "a promotion of this run began (its audit entry, and maybe its write-once card, exist) but did not finish",
          ],
          hint: "run the same `mlp promote` with that --intended-use to finish it",
        },
      );
    }
    card = earlier ??
      cardParams(run, await reader.getMetricHistory(runId), {
        intendedUse,
        approver: pending?.operator ?? operator,
        time: pending?.ts ?? new Date().toISOString(),
      });
  } finally {
    reader.close();
  }
  const name = registeredModelName(run.tags.client_name ?? "", run.tags.project_name ?? "");
  if (pending === null) {
    await appendOverrideEntries(root, [{
      ts: card[CARD_PARAMS.approvalTime],
      kind: "promotion",
      field: name,
      old: null,
      new: CHAMPION_ALIAS,
      operator: card[CARD_PARAMS.approver],
      config: run.tags["mlp.config"] ?? "",
      reason: intendedUse,
      commit: run.params.git_commit ?? "",
      run_id: runId,
    }]);
  }
  const event = await register(root, trackingUri, {
    runId,
    name,
    params: card,
    runTags: {
      [PROMOTION_TAGS.promoted]: "true",
      [PROMOTION_TAGS.timestamp]: card[CARD_PARAMS.approvalTime],
      [PROMOTION_TAGS.by]: card[CARD_PARAMS.approver],
      [PROMOTION_TAGS.registeredModel]: name,
    },
    versionTags: card,
    modelHashes: hashes,
    versionTag: PROMOTION_TAGS.registeredVersion,
  });
  return {
    runId,
    name,
    version: event.version,
    previous: event.previous,
    operator: card[CARD_PARAMS.approver],
    scoredRows,
    resumed: pending !== null,
  };
}

/**
 * `mlp promote --revoke RUN_ID --reason "…"`: the champion alias moves back to the version that
 * was champion before (or is removed), the run's version is tagged revoked, and the revocation is
 * appended to the audit log first, like the promotion it undoes.
 *
 * @module
 */
import { planApproval } from "../audit/approvals.ts";
import { appendOverrideEntries, resolveOperator } from "../audit/override_log.ts";
import { isAgentOperator } from "../config/reasoning.ts";
import { CheckError, InputError } from "../errors.ts";
import { STANDARDS_PATH } from "../project/paths.ts";
import { CHAMPION_ALIAS, PROMOTION_TAGS, registeredModelName, REVOCATION_TAGS } from "./names.ts";
import { agentRefusal, checkRunId, pendingEntry } from "./promote.ts";
import { revoke } from "./registry.ts";
import { openPromotionStore } from "./store.ts";

/** What `mlp promote --revoke` was asked. */
export interface RevokeRequest {
  root: string;
  env: Record<string, string | undefined>;
  runId: string;
  reason: string | undefined;
  /** `--sign-key`: the approver's SSH key that signs the revocation (src/audit/approvals.ts). */
  signKey?: string;
  log: (line: string) => void;
}

/** A revocation done. */
export interface Revocation {
  runId: string;
  name: string;
  /** The run's version, now revoked. */
  version: string;
  /** The champion now, or `null` when none is left. */
  champion: string | null;
  operator: string;
}

/**
 * Revokes the promotion of `request.runId`.
 *
 * @throws {InputError} without a reason
 * @throws {CheckError} for an agent, a run never promoted or already revoked, or when the registry
 *   refuses after the audit entry (then the same command finishes it)
 */
export async function revokePromotion(request: RevokeRequest): Promise<Revocation> {
  const { root, env, runId } = request;
  checkRunId(runId);
  const reason = request.reason?.trim() ?? "";
  if (reason === "") {
    throw new InputError("mlp promote --revoke requires --reason", {
      hint: 'say why the model must leave production, for the audit log: --reason "<why>"',
    });
  }
  if (isAgentOperator(env)) throw agentRefusal(runId, "revoke a promotion");
  const operator = await resolveOperator(root, env);
  const { reader, trackingUri } = await openPromotionStore(root, env, request.log);
  let run;
  try {
    run = await reader.getRun(runId);
  } finally {
    reader.close();
  }
  if (run === null) {
    throw new CheckError(`Run ${runId} is not in the store "${reader.location}"`, {
      hint: `runs are read from the store ${STANDARDS_PATH} names (tracking_store)`,
    });
  }
  if (run.tags[PROMOTION_TAGS.promoted] !== "true") {
    throw new CheckError(`Run ${runId} was never promoted`, {
      hint: "`mlp models` lists the promoted versions and their runs",
    });
  }
  if (run.tags[REVOCATION_TAGS.revoked] === "true") {
    throw new CheckError(
      `Run ${runId}'s promotion was already revoked on ${run.tags[REVOCATION_TAGS.timestamp]}`,
      { hint: "`mlp models` shows the champion now" },
    );
  }
  const name = run.tags[PROMOTION_TAGS.registeredModel] ??
    registeredModelName(run.tags.client_name ?? "", run.tags.project_name ?? "");
  const pending = await pendingEntry(root, runId, "promotion_revoked");
  const time = pending?.ts ?? new Date().toISOString();
  const by = pending?.operator ?? operator;
  if (pending === null) {
    const approval = await planApproval({
      root,
      operator,
      kind: "promotion",
      signKey: request.signKey,
    });
    if (!approval.signed) request.log(approval.warning);
    await appendOverrideEntries(root, [{
      ts: time,
      kind: "promotion_revoked",
      field: name,
      old: CHAMPION_ALIAS,
      new: null,
      operator: by,
      config: run.tags["mlp.config"] ?? "",
      reason,
      commit: run.params.git_commit ?? "",
      run_id: runId,
    }], approval.signer);
  }
  const tags = {
    [REVOCATION_TAGS.revoked]: "true",
    [REVOCATION_TAGS.timestamp]: time,
    [REVOCATION_TAGS.by]: by,
    [REVOCATION_TAGS.reason]: pending?.reason ?? reason,
  };
  const event = await revoke(root, trackingUri, {
    runId,
    name,
    runTags: tags,
    versionTags: tags,
  });
  return { runId, name, version: event.version, champion: event.champion, operator: by };
}

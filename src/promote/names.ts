/**
 * The names a promotion writes (docs/promotion.md): the run's tags, the model card's params and
 * the registered model. `mlp card` and `mlp models` read the same names.
 *
 * @module
 */
import { CARD_PARAM_PREFIX } from "../contract/lists.ts";

/** The run tags `mlp promote` sets (not sealed: they are written after the seal). */
export const PROMOTION_TAGS = {
  promoted: "promoted",
  timestamp: "promotion_timestamp",
  by: "promoted_by",
  registeredModel: "mlp.registered_model",
  /** The registered version, set last: its presence says the promotion finished. */
  registeredVersion: "mlp.registered_version",
} as const;

/** The run tags `mlp promote --revoke` sets. */
export const REVOCATION_TAGS = {
  revoked: "promotion_revoked",
  timestamp: "promotion_revoked_timestamp",
  by: "promotion_revoked_by",
  reason: "promotion_revoked_reason",
} as const;

/** The model card's params (write-once), also set as tags of the registered version. */
export const CARD_PARAMS = {
  intendedUse: `${CARD_PARAM_PREFIX}intended_use`,
  approver: `${CARD_PARAM_PREFIX}approver`,
  approvalTime: `${CARD_PARAM_PREFIX}approval_time`,
  datasetHash: `${CARD_PARAM_PREFIX}dataset_hash`,
  schemaHash: `${CARD_PARAM_PREFIX}schema_hash`,
  commit: `${CARD_PARAM_PREFIX}commit`,
  lockHash: `${CARD_PARAM_PREFIX}dependency_lock_hash`,
  featureHash: `${CARD_PARAM_PREFIX}feature_pipeline_hash`,
  mlpBuild: `${CARD_PARAM_PREFIX}mlp_build`,
} as const;

/** `card.metric.<metric>`: a metric's pooled value and its spread over the folds. */
export function cardMetricParam(metric: string): string {
  return `${CARD_PARAM_PREFIX}metric.${metric}`;
}

/** The alias that names the model in production. */
export const CHAMPION_ALIAS = "champion";

/**
 * The registered model of a project: `<client>.<project>`, so that
 * `models:/<client>.<project>@champion` loads the champion.
 */
export function registeredModelName(client: string, project: string): string {
  return `${client}.${project}`;
}

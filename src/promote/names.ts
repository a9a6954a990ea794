/**
 * The names a promotion writes (docs/promotion.md): the run's tags, the model card's params and
 * the registered model. `mlp card` and `mlp models` read the same names.
 *
 * @module
 */
import {
  CARD_PARAM_PREFIX,
  CARD_PARAMS as SHARED_CARD_PARAMS,
  PROMOTION_TAGS as SHARED_PROMOTION_TAGS,
} from "../contract/lists.ts";

const [promoted, timestamp, by] = SHARED_PROMOTION_TAGS;
const [intendedUse, approver, approvalTime] = SHARED_CARD_PARAMS;

/**
 * The run tags `mlp promote` sets (not sealed: they are written after the seal); the first three
 * are the contract's, which `mlp card` reads too.
 */
export const PROMOTION_TAGS = {
  promoted,
  timestamp,
  by,
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

/**
 * The model card's params (write-once), also set as tags of the registered version; the approval's
 * three are the contract's, which `mlp card` reads too.
 */
export const CARD_PARAMS = {
  intendedUse,
  approver,
  approvalTime,
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

/**
 * The Model Registry side of a promotion, written by `mlp_platform.promotion` through the official
 * MLflow client (the SQLite store and a tracking server alike).
 *
 * @module
 */
import type { z } from "zod";
import {
  type ModelVersionsEvent,
  modelVersionsEventSchema,
  parseEventLine,
  type PromotedEvent,
  promotedEventSchema,
  type RevokedEvent,
  revokedEventSchema,
} from "../contract/events.ts";
import { CheckError } from "../errors.ts";
import { callPlatform } from "../run/platform_call.ts";

/** A registration: the card (params and version tags), the run's tags, the sealed model files. */
export interface Registration {
  runId: string;
  name: string;
  params: Record<string, string>;
  runTags: Record<string, string>;
  versionTags: Record<string, string>;
  modelHashes: Record<string, string>;
  /** The run tag set to the version once the alias points at it. */
  versionTag: string;
}

async function call<T>(
  root: string,
  trackingUri: string,
  command: string,
  input: unknown,
  schema: z.ZodType<T>,
  failure: { message: string; hint: string },
): Promise<T> {
  const result = await callPlatform(root, "promotion", [command], input, {
    MLFLOW_TRACKING_URI: trackingUri,
  });
  const event = result.lines.map((line) => parseEventLine(schema, line, "promotion"))
    .find((e) => e !== undefined);
  if (!result.success || event === undefined) {
    const details = result.stderr.trim().split("\n").filter((l) => l.startsWith("promotion: "));
    throw new CheckError(failure.message, {
      details: details.length > 0 ? details : result.stderr.trim().split("\n").slice(-5),
      hint: failure.hint,
    });
  }
  return event;
}

/**
 * Logs the card and the run's tags, registers the run's LoggedModel as a new version of
 * `name` and points `champion` at it; a second call finishes what an interrupted one began.
 *
 * @throws {CheckError} when MLflow refuses (the LoggedModel differs from the sealed model, the
 *   store is not writable).
 */
export function register(
  root: string,
  trackingUri: string,
  registration: Registration,
): Promise<PromotedEvent> {
  return call(
    root,
    trackingUri,
    "register",
    {
      run_id: registration.runId,
      name: registration.name,
      params: registration.params,
      run_tags: registration.runTags,
      version_tags: registration.versionTags,
      model_hashes: registration.modelHashes,
      version_tag: registration.versionTag,
    },
    promotedEventSchema,
    {
      message: `Cannot register run ${registration.runId} as "${registration.name}"`,
      hint: "the audit log holds the promotion; fix the cause, then run the same `mlp promote` " +
        "again: it finishes the registration",
    },
  );
}

/**
 * Tags the run's versions revoked and moves `champion` back (or removes it).
 *
 * @throws {CheckError} when MLflow refuses.
 */
export function revoke(
  root: string,
  trackingUri: string,
  revocation: {
    runId: string;
    name: string;
    runTags: Record<string, string>;
    versionTags: Record<string, string>;
  },
): Promise<RevokedEvent> {
  return call(
    root,
    trackingUri,
    "revoke",
    {
      run_id: revocation.runId,
      name: revocation.name,
      run_tags: revocation.runTags,
      version_tags: revocation.versionTags,
    },
    revokedEventSchema,
    {
      message: `Cannot revoke run ${revocation.runId}'s version of "${revocation.name}"`,
      hint: "the audit log holds the revocation; fix the cause, then run the same " +
        "`mlp promote --revoke` again",
    },
  );
}

/**
 * Every version of the registered model `name` (none when it does not exist).
 *
 * @throws {CheckError} when MLflow cannot be read.
 */
export function listVersions(
  root: string,
  trackingUri: string,
  name: string,
): Promise<ModelVersionsEvent> {
  return call(root, trackingUri, "list", { name }, modelVersionsEventSchema, {
    message: `Cannot list the versions of "${name}"`,
    hint: "check that the store the standards name is reachable",
  });
}

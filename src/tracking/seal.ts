/**
 * Checks a run's seal (docs/seal.md) against the store: the one check that every command trusting
 * a run's record makes before it does (the merge gate and `mlp verify-run` today; `mlp promote`
 * and `mlp query` are to call it too). It recomputes the digest from what the store holds now
 * and compares it with the seal in the git note on the run's commit (which a store rewritten
 * later cannot change) and with the run's `mlp.seal` tag.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { canonicalSeal, encodeMetric, sealDigest, type SealRecord } from "../contract/seal.ts";
import { SEAL_ARTIFACT, SEAL_TAG } from "../contract/lists.ts";
import type { MetricPoint, RunReader, RunRecord } from "./run_record.ts";

/** The record a seal covers, as the store holds it now. */
export async function storedSealRecord(reader: RunReader, run: RunRecord): Promise<SealRecord> {
  const history = await reader.getMetricHistory(run.runId);
  const artifacts = await reader.hashArtifacts(run.runId);
  delete artifacts[SEAL_ARTIFACT];
  return {
    runId: run.runId,
    status: run.status,
    params: run.params,
    tags: run.tags,
    metrics: run.metrics,
    metricHistory: Object.fromEntries(
      Object.entries(history).map(([key, points]) => [key, inOrder(points)]),
    ),
    artifacts,
  };
}

function inOrder(points: MetricPoint[]): number[] {
  return [...points].sort((a, b) =>
    a.step - b.step || a.timestamp - b.timestamp ||
    encodeMetric(a.value).localeCompare(encodeMetric(b.value))
  ).map((p) => p.value);
}

/**
 * Why `run`'s record cannot be trusted, or `[]` when its seal holds: the digest recomputed from
 * the store must equal the seal noted on the commit (`noted`, from `MLflow-Seal` in the git
 * note) when there is one, and the run's `mlp.seal` tag.
 *
 * A broken seal names what changed when the run's `mlp/seal.json` (the record as sealed) is
 * intact; otherwise it says only that the record changed.
 *
 * @throws {CheckError} when the store or the run's artifacts cannot be read.
 */
export async function checkSeal(
  reader: RunReader,
  run: RunRecord,
  noted?: string,
): Promise<string[]> {
  const tag = run.tags[SEAL_TAG];
  if (tag === undefined && noted === undefined) {
    return [
      "the run has no seal: `mlp run` did not record it (it was written with the MLflow " +
      "client, or did not finish), so its record proves nothing",
    ];
  }
  const current = await storedSealRecord(reader, run);
  const recomputed = sealDigest(current);
  const sealed = noted ?? tag!;
  if (recomputed !== sealed) {
    const changes = await describeChanges(reader, run.runId, sealed, current);
    const rewritten = tag === recomputed
      ? ` and its ${SEAL_TAG} tag was rewritten to match (the git note holds the seal it had)`
      : "";
    return [
      `its record changed since it was sealed${rewritten}` +
      (changes.length > 0 ? `: ${changes.join("; ")}` : ""),
    ];
  }
  if (tag !== sealed) {
    return [
      tag === undefined
        ? `its ${SEAL_TAG} tag was removed (the git note holds its seal)`
        : `its ${SEAL_TAG} tag "${tag}" differs from the seal "${sealed}" in the git note`,
    ];
  }
  return [];
}

/** What differs between the sealed record (the run's mlp/seal.json, if intact) and `current`. */
async function describeChanges(
  reader: RunReader,
  runId: string,
  sealed: string,
  current: SealRecord,
): Promise<string[]> {
  const bytes = await reader.readArtifact(runId, SEAL_ARTIFACT);
  if (bytes === null) return [];
  const text = new TextDecoder().decode(bytes);
  if (createHash("sha256").update(text, "utf8").digest("hex") !== sealed) return [];
  const before = JSON.parse(text) as Record<string, unknown>;
  const now = JSON.parse(canonicalSeal(current)) as Record<string, unknown>;
  const changes: string[] = [];
  const show = (value: unknown, field: string) =>
    value === undefined
      ? "none"
      : field.startsWith("metric")
      ? JSON.stringify(decodeMetrics(value))
      : JSON.stringify(value);
  for (const field of ["run_id", "status"]) {
    if (before[field] !== now[field]) {
      changes.push(
        `${field}: sealed ${show(before[field], field)}, store has ${show(now[field], field)}`,
      );
    }
  }
  const names: Record<string, string> = {
    params: "param",
    tags: "tag",
    metrics: "metric",
    metric_history: "metric history of",
    artifacts: "artifact",
  };
  for (const [field, name] of Object.entries(names)) {
    const a = (before[field] ?? {}) as Record<string, unknown>;
    const b = (now[field] ?? {}) as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (JSON.stringify(a[key]) === JSON.stringify(b[key])) continue;
      changes.push(
        `${name} ${key}: sealed ${show(a[key], field)}, store has ${show(b[key], field)}`,
      );
    }
  }
  return changes;
}

/** A metric value (or list of them) as the seal spells it, back to numbers for people. */
function decodeMetrics(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeMetrics);
  if (typeof value !== "string" || !/^[0-9a-f]{16}$/.test(value)) return value;
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 8; i++) view.setUint8(i, parseInt(value.slice(2 * i, 2 * i + 2), 16));
  return view.getFloat64(0, false);
}

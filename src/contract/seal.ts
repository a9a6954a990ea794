/**
 * The seal of a run (docs/seal.md), defined once: the record it covers and its canonical bytes.
 * The platform's `mlp_platform/seal.py` computes it at the end of a run from what it logged;
 * mlp recomputes it from the store (src/tracking/seal.ts). The golden test feeds both the same
 * record and compares the bytes.
 *
 * Canonical form: JSON with object keys sorted by Unicode code point, no whitespace, every
 * character outside printable ASCII escaped as `\uXXXX` (UTF-16 units, lowercase hex), `"` and
 * `\` escaped with a backslash. Every value is a string, except `seal_version`. Metric values are
 * strings too ({@linkcode encodeMetric}), so that no float printing rule of either language
 * enters the bytes.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { CARD_PARAM_PREFIX, SEALED_TAGS } from "./lists.ts";

/** The version of the canonical form; a different version is a different seal. */
export const SEAL_VERSION = 1;

/** What a seal covers: one run as it was recorded. */
export interface SealRecord {
  runId: string;
  /** The status the run ends in (FINISHED: only finished runs are sealed). */
  status: string;
  /** Every param of the run; those under `CARD_PARAM_PREFIX` (the model card's) do not count. */
  params: Record<string, string>;
  /** The run's tags; only those in the contract's `SEALED_TAGS` count. */
  tags: Record<string, string>;
  /** The latest value of each metric. */
  metrics: Record<string, number>;
  /** Every value logged of each metric, in (step, timestamp) order. */
  metricHistory: Record<string, number[]>;
  /** Artifact path (relative to the run's artifact root, `/`-separated) → SHA-256 of its bytes. */
  artifacts: Record<string, string>;
}

/** The largest double, which MLflow's SQL store writes for +Infinity (and its negative for -Infinity). */
const DOUBLE_MAX = 1.7976931348623157e308;

/**
 * A metric value as the seal spells it: `NaN`, or the 16 lowercase hex digits of the IEEE 754
 * binary64 value, big-endian. The value is first taken as MLflow's SQL store keeps it: ±Infinity
 * as ±1.7976931348623157e308, -0 as 0 (SQLite does not keep the sign of zero).
 */
export function encodeMetric(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  const stored = value === Infinity
    ? DOUBLE_MAX
    : value === -Infinity
    ? -DOUBLE_MAX
    : value === 0
    ? 0
    : value;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, stored, false);
  return [...new Uint8Array(view.buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The canonical JSON of `record` (see the module doc). */
export function canonicalSeal(record: SealRecord): string {
  const metric = (values: Record<string, number>) =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, encodeMetric(v)]));
  return canonical({
    seal_version: SEAL_VERSION,
    run_id: record.runId,
    status: record.status,
    params: Object.fromEntries(
      Object.entries(record.params).filter(([k]) => !k.startsWith(CARD_PARAM_PREFIX)),
    ),
    tags: Object.fromEntries(
      Object.entries(record.tags).filter(([k]) => (SEALED_TAGS as readonly string[]).includes(k)),
    ),
    metrics: metric(record.metrics),
    metric_history: Object.fromEntries(
      Object.entries(record.metricHistory).map(([k, vs]) => [k, vs.map(encodeMetric)]),
    ),
    artifacts: record.artifacts,
  });
}

/** The seal of `record`: the SHA-256 (lowercase hex) of its canonical JSON in UTF-8. */
export function sealDigest(record: SealRecord): string {
  return createHash("sha256").update(canonicalSeal(record), "utf8").digest("hex");
}

type Canonical = string | number | Canonical[] | { [key: string]: Canonical };

function canonical(value: Canonical): string {
  if (typeof value === "string") return quote(value);
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const keys = Object.keys(value).sort(byCodePoint);
  return `{${keys.map((k) => `${quote(k)}:${canonical(value[k])}`).join(",")}}`;
}

/** Orders as Python's `sorted` orders `str`: by code point, not by UTF-16 unit. */
function byCodePoint(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0x22) out += '\\"';
    else if (unit === 0x5c) out += "\\\\";
    else if (unit >= 0x20 && unit < 0x7f) out += text[i];
    else out += `\\u${unit.toString(16).padStart(4, "0")}`;
  }
  return `${out}"`;
}

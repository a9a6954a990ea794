/**
 * Flat and canonical renderings of config values: MLflow params by YAML path, with lists as
 * canonical JSON. (The feature-pipeline hash does not use canonical JSON: it hashes the `features`
 * section in its own key order, which `build_features` sees; see src/fingerprint/feature_hash.ts.)
 *
 * @module
 */

/**
 * Flattens a config into `dotted.path → string`, one entry per leaf, as MLflow params record it.
 * Lists are one leaf each, written as canonical JSON; an empty mapping is a leaf `"{}"` so its
 * path is still recorded; `null` is `"null"`, booleans `"true"`/`"false"`, numbers `String(n)`;
 * `undefined` values are skipped.
 *
 * @param value A plain value (as YAML parsing produces).
 * @param prefix Path of `value` itself; "" for a whole document.
 *
 * @example Usage
 * ```ts
 * import { flattenParams } from "./flatten.ts";
 * flattenParams({ model_type: "xgboost", hyperparameters: { max_depth: 6 }, tags: ["a", "b"] });
 * // => { model_type: "xgboost", "hyperparameters.max_depth": "6", tags: '["a","b"]' }
 * ```
 */
export function flattenParams(value: unknown, prefix = ""): Record<string, string> {
  const params: Record<string, string> = {};
  const visit = (node: unknown, path: string) => {
    if (node === undefined) return;
    if (node !== null && typeof node === "object" && !Array.isArray(node)) {
      const entries = Object.entries(node);
      if (entries.length === 0 && path !== "") params[path] = "{}";
      for (const [key, child] of entries) visit(child, path === "" ? key : `${path}.${key}`);
      return;
    }
    params[path] = Array.isArray(node) ? canonicalJson(node) : String(node);
  };
  visit(value, prefix);
  return params;
}

/**
 * Canonical JSON: mapping keys sorted (by UTF-16 code units, JavaScript's default order) at every
 * depth, list order kept, no whitespace, strings escaped as `JSON.stringify` does (non-ASCII kept
 * as is). Runs record their list params as these exact bytes.
 *
 * @throws {TypeError} for values JSON cannot represent: non-finite numbers, `undefined` inside
 * lists, functions, bigints, symbols.
 *
 * @example Usage
 * ```ts
 * import { canonicalJson } from "./flatten.ts";
 * canonicalJson({ b: [2, { d: 1, c: null }], a: "x" }); // => '{"a":"x","b":[2,{"c":null,"d":1}]}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "string" || typeof value === "boolean") {
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`${value} cannot be written as JSON`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const members = entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`);
    return `{${members.join(",")}}`;
  }
  throw new TypeError(`a ${typeof value} cannot be written as JSON`);
}

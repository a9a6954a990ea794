/**
 * Protected fields: the settings of `experiment.yaml`'s `protected` section that must equal the
 * reference values in `project_standards.yaml` unless an override is logged. Used by `mlp run`
 * on a validated config and by the pre-commit hook on raw staged text.
 *
 * @module
 */
import type { OverrideEntry } from "../audit/override_log.ts";
import { STANDARDS_PATH } from "../project/paths.ts";
import type { ExperimentConfig } from "./experiment.ts";
import { isMapping, show } from "./problems.ts";
import { PROTECTED_DEFAULTS, type ProtectedValue, type Standards } from "./standards.ts";
import { parseYamlStrict } from "./yaml_strict.ts";

/** A protected field whose value differs from the standards' reference value. */
export interface ProtectedMismatch {
  /** Dotted path in experiment.yaml, e.g. `protected.split_strategy`. */
  field: string;
  /** The reference value from project_standards.yaml. */
  expected: ProtectedValue;
  /**
   * The value in the config; `undefined` when the field is absent. From raw text, a value that is
   * neither a string nor a number is described as YAML would write it.
   */
  actual: ProtectedValue | undefined;
  /** 1-based line of the value (or of the enclosing section when absent), when known. */
  line?: number;
}

/**
 * Compares the protected section of a validated config with the standards' reference values.
 *
 * @returns One mismatch per differing field, in the order the standards list them.
 */
export function protectedMismatches(
  config: ExperimentConfig,
  standards: Standards,
): ProtectedMismatch[] {
  const mismatches: ProtectedMismatch[] = [];
  for (const [name, expected] of Object.entries(standards.protected_fields)) {
    const actual = config.protected[name];
    if (actual !== expected) mismatches.push({ field: `protected.${name}`, expected, actual });
  }
  return mismatches;
}

/**
 * Compares the protected section of raw experiment.yaml text with the standards, without
 * requiring the rest of the file to be valid (a git hook sees whatever is staged). Values compare
 * exactly (the string "1" is not the integer 1); an absent field with a default
 * (`positive_class`) has its default, as validation gives it.
 *
 * @throws {InputError} when the text is not strict YAML.
 *
 * @example Usage
 * ```ts
 * import { findProtectedMismatches } from "./protected.ts";
 * import { loadStandards } from "./standards.ts";
 * const standards = await loadStandards("configs/project_standards.yaml");
 * const text = "protected:\n  metric_definition: f1\n  split_strategy: stratified_kfold\n  target_column: default\n";
 * findProtectedMismatches(text, "configs/experiment.yaml", standards);
 * // => [{ field: "protected.metric_definition", expected: "roc_auc", actual: "f1", line: 2 }]
 * ```
 */
export function findProtectedMismatches(
  text: string,
  file: string,
  standards: Standards,
): ProtectedMismatch[] {
  const doc = parseYamlStrict(text, file);
  const section = isMapping(doc.value) ? doc.value.protected : undefined;
  const mismatches: ProtectedMismatch[] = [];
  for (const [name, expected] of Object.entries(standards.protected_fields)) {
    const given = isMapping(section) ? section[name] : undefined;
    const value = given === undefined && Object.hasOwn(PROTECTED_DEFAULTS, name)
      ? PROTECTED_DEFAULTS[name]
      : given;
    if (value === expected) continue;
    const actual = value === undefined || typeof value === "string" || typeof value === "number"
      ? value
      : show(value);
    const position = doc.locate(["protected", name]) ?? doc.locate(["protected"]) ?? doc.locate([]);
    mismatches.push({ field: `protected.${name}`, expected, actual, line: position?.line });
  }
  return mismatches;
}

/**
 * A protected value for a message: a string in double quotes, a number bare, and when `other`
 * (the value it is compared with) is of another kind, the kind, so that `"1"` against `1` reads
 * `"1" (a string)` against `1 (an integer)`.
 */
export function showProtected(value: ProtectedValue, other?: ProtectedValue): string {
  const text = JSON.stringify(value);
  if (other === undefined || typeof other === typeof value) return text;
  const kind = typeof value === "string"
    ? "a string"
    : Number.isInteger(value)
    ? "an integer"
    : "a number";
  return `${text} (${kind})`;
}

/**
 * What is wrong with one protected field, without its location: the words the pre-commit hook,
 * `mlp validate` and their tests share, e.g.
 * `protected field "protected.split_strategy" is "temporal_split", but configs/project_standards.yaml requires "stratified_kfold"`.
 */
export function describeMismatch(mismatch: ProtectedMismatch): string {
  const is = mismatch.actual === undefined
    ? "is missing"
    : `is ${showProtected(mismatch.actual, mismatch.expected)}`;
  const expected = showProtected(mismatch.expected, mismatch.actual);
  return `protected field "${mismatch.field}" ${is}, but ${STANDARDS_PATH} requires ${expected}`;
}

/**
 * One line per mismatch, `file:line: ` and {@linkcode describeMismatch}, e.g.
 * `configs/experiment.yaml:14: protected field "protected.split_strategy" is "temporal_split", but configs/project_standards.yaml requires "stratified_kfold"`.
 */
export function formatMismatches(file: string, mismatches: readonly ProtectedMismatch[]): string[] {
  return mismatches.map((mismatch) => {
    const where = mismatch.line === undefined ? file : `${file}:${mismatch.line}`;
    return `${where}: ${describeMismatch(mismatch)}`;
  });
}

/** What the pre-commit hook decides about the protected fields of one experiment config. */
export interface ProtectedReview {
  /** Mismatches no override log entry approves: the hook refuses each one. */
  refused: ProtectedMismatch[];
  /** Mismatches an entry approves, with the index of that entry in the entries given. */
  approved: { mismatch: ProtectedMismatch; entry: number }[];
}

/**
 * Compares the protected section of raw experiment.yaml text with the standards, as
 * {@linkcode findProtectedMismatches}, and sorts the mismatches by whether an override log
 * entry approves them: a `protected_override` of that config and field to the config's value,
 * which is what `mlp run --override-protected` logged when the value was run.
 *
 * @param file The config's project-relative path, as the log's `config` names it.
 * @param overrides The override log's entries, in log order.
 * @throws {InputError} when the text is not strict YAML.
 */
export function reviewProtectedFields(
  text: string,
  file: string,
  standards: Standards,
  overrides: readonly OverrideEntry[],
): ProtectedReview {
  const review: ProtectedReview = { refused: [], approved: [] };
  for (const mismatch of findProtectedMismatches(text, file, standards)) {
    const entry = overrides.findIndex((e) =>
      e.kind === "protected_override" && e.config === file && e.field === mismatch.field &&
      String(e.new) === mismatch.actual
    );
    if (entry < 0) review.refused.push(mismatch);
    else review.approved.push({ mismatch, entry });
  }
  return review;
}

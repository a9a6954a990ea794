/**
 * Protected fields: the settings of `experiment.yaml`'s `protected` section that must equal the
 * reference values in `project_standards.yaml` unless an override is logged. Used by `mlp run`
 * on a validated config and by the pre-commit hook on raw staged text.
 *
 * @module
 */
import { OVERRIDE_LOG, type OverrideEntry } from "../audit/override_log.ts";
import { STANDARDS_PATH } from "../project/paths.ts";
import type { ExperimentConfig } from "./experiment.ts";
import { isMapping, show } from "./problems.ts";
import { PROTECTED_DEFAULTS, type ProtectedValue, type Standards } from "./standards.ts";
import { parseYamlStrict } from "./yaml_strict.ts";

/** How a reference value changes: the words of `mlp run`'s and `mlp validate`'s refusals. */
export const NEW_REFERENCE =
  `a new reference value is committed to ${STANDARDS_PATH} with that log entry, through review`;

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
 * The reference values protected fields are compared with, and how messages name them. They are
 * the standards as committed at HEAD: an uncommitted (or staged) edit of the standards moves no
 * reference value, so editing the standards together with the config changes nothing protected.
 */
export interface ProtectedReference {
  /** The standards whose `protected_fields` are the reference values. */
  standards: Standards;
  /** `configs/project_standards.yaml at HEAD`, or the file alone before the first commit. */
  label: string;
  /**
   * Reference values the uncommitted standards give differently (`undefined`: they drop the
   * field), by field name, so a refusal can say that the edit does not count.
   */
  uncommitted: Record<string, ProtectedValue | undefined>;
}

/**
 * The reference of a project: `working` (the standards on disk or staged, which every other
 * check uses) with the `protected_fields` of `committed`, the standards at HEAD. Before the first
 * commit (`committed` null) nothing is committed yet and the working standards are the reference:
 * the first commit establishes them.
 *
 * @param file The standards' project-relative path, for messages.
 *
 * @example Usage
 * ```ts
 * import { protectedReference } from "./protected.ts";
 * import { loadStandards } from "./standards.ts";
 * const standards = await loadStandards("configs/project_standards.yaml");
 * protectedReference(standards, null, "configs/project_standards.yaml").label;
 * // => "configs/project_standards.yaml"
 * ```
 */
export function protectedReference(
  working: Standards,
  committed: Standards | null,
  file: string,
): ProtectedReference {
  if (committed === null) return { standards: working, label: file, uncommitted: {} };
  const uncommitted: Record<string, ProtectedValue | undefined> = {};
  const names = new Set([
    ...Object.keys(working.protected_fields),
    ...Object.keys(committed.protected_fields),
  ]);
  for (const name of names) {
    const value = working.protected_fields[name];
    if (value !== committed.protected_fields[name]) uncommitted[name] = value;
  }
  return {
    standards: { ...working, protected_fields: committed.protected_fields },
    label: `${file} at HEAD`,
    uncommitted,
  };
}

/**
 * Why the uncommitted standards do not count for a mismatch, e.g.
 * ` (the uncommitted configs/project_standards.yaml says "recall": only the committed standards count)`;
 * empty when they agree with HEAD.
 */
export function uncommittedNote(
  mismatch: ProtectedMismatch,
  reference: ProtectedReference,
): string {
  const name = mismatch.field.slice("protected.".length);
  if (!Object.hasOwn(reference.uncommitted, name)) return "";
  const value = reference.uncommitted[name];
  const says = value === undefined ? "drops it" : `says ${showProtected(value)}`;
  return ` (the uncommitted ${STANDARDS_PATH} ${says}: only the committed standards count)`;
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
 * `protected field "protected.split_strategy" is "temporal_split", but configs/project_standards.yaml at HEAD requires "stratified_kfold"`.
 *
 * @param label How the reference is named ({@linkcode ProtectedReference}'s `label`).
 */
export function describeMismatch(
  mismatch: ProtectedMismatch,
  label: string = STANDARDS_PATH,
): string {
  const is = mismatch.actual === undefined
    ? "is missing"
    : `is ${showProtected(mismatch.actual, mismatch.expected)}`;
  const expected = showProtected(mismatch.expected, mismatch.actual);
  return `protected field "${mismatch.field}" ${is}, but ${label} requires ${expected}`;
}

/**
 * One line per mismatch, `file:line: ` and {@linkcode describeMismatch}, e.g.
 * `configs/experiment.yaml:14: protected field "protected.split_strategy" is "temporal_split", but configs/project_standards.yaml requires "stratified_kfold"`.
 *
 * @param label How the reference is named ({@linkcode ProtectedReference}'s `label`).
 */
export function formatMismatches(
  file: string,
  mismatches: readonly ProtectedMismatch[],
  label: string = STANDARDS_PATH,
): string[] {
  return mismatches.map((mismatch) => {
    const where = mismatch.line === undefined ? file : `${file}:${mismatch.line}`;
    return `${where}: ${describeMismatch(mismatch, label)}`;
  });
}

/** What the pre-commit hook decides about the protected fields of one experiment config. */
export interface ProtectedReview {
  /** Mismatches no override log entry approves: the hook refuses each one. */
  refused: ProtectedMismatch[];
  /** Mismatches an entry approves, with the index of that entry in the entries given. */
  approved: { mismatch: ProtectedMismatch; entry: number }[];
  /** Entries of a refused value that do not approve it: the field, and why (for the refusal). */
  unusable: { field: string; why: string }[];
}

/** What decides whether an override log entry approves a protected change. */
export interface ApprovalContext {
  /** The commit the change is made on (HEAD); null before the first commit. */
  head: string | null;
  /**
   * The config as committed at HEAD and, while a merge is concluded, at MERGE_HEAD (null where
   * it does not exist): a value either already holds was approved when it was committed.
   */
  committedTexts: readonly (string | null)[];
  /** The override log's entries (staged, or the work tree's), in log order. */
  entries: readonly OverrideEntry[];
  /** Index in `entries` of the first entry appended since HEAD. */
  appendedFrom: number;
}

/**
 * Compares the protected section of raw experiment.yaml text with the reference, as
 * {@linkcode findProtectedMismatches}, and sorts the mismatches by whether an override log
 * entry approves them. An entry approves one change at one commit:
 *
 * - a value the config changes to (it differs from the config at HEAD) is approved only by a
 *   `protected_override` appended since HEAD, for this config and field, from the reference value
 *   to this value, made at HEAD (`commit`): what `mlp run --override-protected` logs when the
 *   change is run on top of HEAD. An older entry of the same value approved an earlier change, and
 *   an entry made at another commit approves the commit made on top of that one;
 * - a value the config already had at HEAD (or at MERGE_HEAD) was approved when it was committed,
 *   and stays approved while the log holds a `protected_override` of it.
 *
 * @param file The config's project-relative path, as the log's `config` names it.
 * @throws {InputError} when the text is not strict YAML.
 */
export function reviewProtectedFields(
  text: string,
  file: string,
  reference: ProtectedReference,
  context: ApprovalContext,
): ProtectedReview {
  const review: ProtectedReview = { refused: [], approved: [], unusable: [] };
  const carried = context.committedTexts.map((committed) =>
    committed === null ? [] : committedMismatches(committed, file, reference.standards)
  ).flat();
  for (const mismatch of findProtectedMismatches(text, file, reference.standards)) {
    const same = (e: OverrideEntry) =>
      e.kind === "protected_override" && e.config === file && e.field === mismatch.field &&
      e.new === (mismatch.actual ?? null);
    const isCarried = carried.some((m) =>
      m.field === mismatch.field && m.actual === mismatch.actual
    );
    const entry = context.entries.findIndex((e, index) =>
      same(e) && (isCarried ||
        (index >= context.appendedFrom && e.commit === context.head &&
          e.old === mismatch.expected))
    );
    if (entry >= 0) {
      review.approved.push({ mismatch, entry });
      continue;
    }
    review.refused.push(mismatch);
    context.entries.forEach((e, index) => {
      if (!same(e)) return;
      const appended = index >= context.appendedFrom;
      const why = unusableEntry(e, index, appended, context.head, mismatch.expected);
      review.unusable.push({ field: mismatch.field, why });
    });
  }
  return review;
}

/** The mismatches of a committed config; a committed text that is not strict YAML has none. */
function committedMismatches(
  text: string,
  file: string,
  standards: Standards,
): ProtectedMismatch[] {
  try {
    return findProtectedMismatches(text, file, standards);
  } catch {
    return [];
  }
}

const ONE_CHANGE =
  "an entry approves one change, in the commit made on top of the commit it ran at";

/** Why an entry of the refused value does not approve it. */
function unusableEntry(
  entry: OverrideEntry,
  index: number,
  appended: boolean,
  head: string | null,
  expected: ProtectedValue,
): string {
  const where = `${OVERRIDE_LOG}:${index + 1}`;
  const value = show(entry.new);
  const at = entry.commit.slice(0, 12);
  if (!appended) {
    return `${where} approved ${value} for an earlier change, run at commit ${at}: ${ONE_CHANGE}`;
  }
  if (entry.commit === head) {
    return `${where} approves ${value} in place of ${show(entry.old)}, but the reference value ` +
      `is ${showProtected(expected)}: ${ONE_CHANGE}`;
  }
  const now = head === null ? "and there is no commit yet" : `not at HEAD ${head.slice(0, 12)}`;
  return `${where} approves ${value} at commit ${at}, ${now}: ${ONE_CHANGE}`;
}

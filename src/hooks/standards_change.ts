/**
 * What a commit changes in the reference values of `configs/project_standards.yaml`'s
 * `protected_fields`, and which of those changes no new override log entry approves. The
 * pre-commit hook checks experiment configs against the *staged* standards, so without this an
 * agent could move a reference value together with the config and nothing would notice.
 *
 * @module
 */
import type { OverrideEntry } from "../audit/override_log.ts";
import { isMapping } from "../config/problems.ts";
import { PROTECTED_DEFAULTS } from "../config/standards.ts";
import { parseYamlStrict } from "../config/yaml_strict.ts";

/** A protected field whose reference value the commit adds, changes or removes. */
export interface ReferenceChange {
  /** The key under `protected_fields`, e.g. `split_strategy`. */
  name: string;
  /** The committed reference value; `undefined` when the commit adds the field. */
  old: unknown;
  /** The staged reference value; `undefined` when the commit removes the field. */
  new: unknown;
  /** 1-based line in the staged file: of the value, or of `protected_fields` for a removal. */
  line?: number;
}

/**
 * Compares `protected_fields` of the committed and the staged standards, in the order the
 * staged file lists them, removed fields last. Values compare exactly (the string "1" is not the
 * integer 1), and a field with a default (`positive_class`) that a file leaves out has its
 * default, so writing the default out is no change. A value of the wrong type is compared all the
 * same (the staged file's validation refuses it separately).
 *
 * @param oldText The committed standards; `null` (no file at HEAD, or no HEAD) and text that is
 *   not strict YAML have no reference values to protect, so nothing is a change.
 * @param newText The staged standards.
 * @param file The standards' path, for messages.
 * @throws {InputError} when `newText` is not strict YAML.
 *
 * @example Usage
 * ```ts
 * import { referenceChanges } from "./standards_change.ts";
 * referenceChanges(
 *   "protected_fields:\n  split_strategy: stratified_kfold\n",
 *   "protected_fields:\n  split_strategy: temporal_split\n",
 *   "configs/project_standards.yaml",
 * );
 * // => [{ name: "split_strategy", old: "stratified_kfold", new: "temporal_split", line: 2 }]
 * ```
 */
export function referenceChanges(
  oldText: string | null,
  newText: string,
  file: string,
): ReferenceChange[] {
  if (oldText === null) return [];
  let oldFields: Map<string, unknown>;
  try {
    oldFields = referenceValues(parseYamlStrict(oldText, file).value);
  } catch {
    return [];
  }
  const doc = parseYamlStrict(newText, file);
  const newFields = referenceValues(doc.value);
  const changes: ReferenceChange[] = [];
  const section = doc.locateKey(["protected_fields"])?.line;
  for (const [name, value] of newFields) {
    if (oldFields.has(name) && sameValue(oldFields.get(name), value)) continue;
    // A default the staged file leaves out has no line of its own.
    const line = doc.locate(["protected_fields", name])?.line ?? section;
    changes.push({ name, old: oldFields.get(name), new: value, line });
  }
  for (const [name, value] of oldFields) {
    if (!newFields.has(name)) changes.push({ name, old: value, new: undefined, line: section });
  }
  return changes;
}

/**
 * The changes that no entry approves. An entry approves a change when it is a
 * `protected_override` of `protected.<name>` whose `new` is the staged value (`null` for a
 * removed field), made at HEAD (`commit`): what `mlp run --override-protected` logs when a human
 * runs that value first, on top of the commit the change is made on.
 *
 * @param entries The entries the commit adds to the override log.
 * @param head The full SHA of HEAD.
 */
export function unapprovedChanges(
  changes: readonly ReferenceChange[],
  entries: readonly OverrideEntry[],
  head: string | null,
): ReferenceChange[] {
  return changes.filter((change) =>
    !entries.some((entry) =>
      entry.kind === "protected_override" && entry.commit === head &&
      entry.field === `protected.${change.name}` &&
      (change.new === undefined ? entry.new === null : sameValue(entry.new, change.new))
    )
  );
}

/**
 * Whether a commit changes `approvers` (who may approve, with which key, what), and the staged
 * line of the section: the pre-commit hook refuses such a change from an AI agent, since the
 * approvers on main decide whose signature approves an override or a promotion.
 *
 * @param oldText The committed standards; `null` (none at HEAD) compares with no approvers, as
 *   does text that is not strict YAML.
 * @param newText The staged standards.
 * @throws {InputError} when `newText` is not strict YAML.
 *
 * @example Usage
 * ```ts
 * import { approversChange } from "./standards_change.ts";
 * approversChange("approvers: []\n", "approvers: []\n", "configs/project_standards.yaml");
 * // => null
 * ```
 */
export function approversChange(
  oldText: string | null,
  newText: string,
  file: string,
): { line: number | undefined } | null {
  let oldApprovers: unknown = [];
  try {
    if (oldText !== null) oldApprovers = approversOf(parseYamlStrict(oldText, file).value);
  } catch {
    // Committed standards that do not parse approve nobody: compare with none.
  }
  const doc = parseYamlStrict(newText, file);
  if (JSON.stringify(approversOf(doc.value)) === JSON.stringify(oldApprovers)) return null;
  return { line: doc.locateKey(["approvers"])?.line };
}

/** `approvers` of a parsed standards document; an absent section is the empty list. */
function approversOf(doc: unknown): unknown {
  return (isMapping(doc) ? doc.approvers : undefined) ?? [];
}

/** `protected_fields` of a parsed standards document, absent defaults filled in. */
function referenceValues(doc: unknown): Map<string, unknown> {
  const section = isMapping(doc) ? doc.protected_fields : undefined;
  const values = new Map<string, unknown>(isMapping(section) ? Object.entries(section) : []);
  for (const [name, value] of Object.entries(PROTECTED_DEFAULTS)) {
    if (!values.has(name)) values.set(name, value);
  }
  return values;
}

/** Exact equality of two YAML values: same type and same value (lists and mappings as JSON). */
function sameValue(a: unknown, b: unknown): boolean {
  return a === b ||
    (typeof a === "object" && a !== null && JSON.stringify(a) === JSON.stringify(b));
}

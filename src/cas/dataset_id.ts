/**
 * The format of a dataset's identity: the SHA-256 of its manifest, as 64 lowercase hexadecimal
 * characters. Checked wherever a dataset hash enters mlp (configs, arguments) before it is used
 * as a directory name, so it can never name anything outside `data/shadow/`.
 *
 * @module
 */
import { InputError, type Location } from "../errors.ts";

const DATASET_HASH = /^[0-9a-f]{64}$/;

/** True when `value` has the form of a dataset hash. */
export function isDatasetHash(value: unknown): value is string {
  return typeof value === "string" && DATASET_HASH.test(value);
}

/**
 * Returns `value` when it is a dataset hash (64 lowercase hexadecimal characters), and throws an
 * `InputError` saying what it looks like instead otherwise.
 *
 * @param value The dataset_version from a config, or a hash typed on the command line.
 * @param location Where the value comes from, for the message.
 * @throws {InputError} when `value` is not 64 lowercase hexadecimal characters.
 *
 * @example Usage
 * ```ts
 * import { validateDatasetVersion } from "./dataset_id.ts";
 * validateDatasetVersion("0".repeat(64)); // => "000…000"
 * validateDatasetVersion("v3"); // throws InputError
 * ```
 */
export function validateDatasetVersion(value: unknown, location?: Location): string {
  if (isDatasetHash(value)) return value;
  const shown = typeof value === "string" ? `"${value}"` : String(value);
  throw new InputError(
    `Invalid dataset_version ${shown}: expected the dataset's SHA-256, 64 lowercase hexadecimal characters`,
    { location, hint: hintFor(value) },
  );
}

/** Says what a malformed dataset hash most likely is, and how to get the right one. */
function hintFor(value: unknown): string {
  const find = "`mlp data ls` lists the datasets in data/shadow/ with their hashes";
  if (typeof value === "number" || typeof value === "bigint") {
    return `the value was read as a number: write the hash in quotes; ${find}`;
  }
  if (typeof value !== "string") return `write the dataset hash as a string; ${find}`;
  const trimmed = value.trim();
  if (trimmed !== value && isDatasetHash(trimmed)) return "remove the surrounding whitespace";
  if (/^sha256:/i.test(trimmed)) return 'remove the "sha256:" prefix';
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return "write the hash in lowercase";
  if (/^[0-9a-f]{40}$/i.test(trimmed)) {
    return `40 hexadecimal characters look like a git commit, not a dataset hash; ${find}`;
  }
  if (/^[0-9a-f]{32}$/i.test(trimmed)) {
    return `32 hexadecimal characters look like an MD5 (as DVC uses), not a dataset hash; ${find}`;
  }
  if (/^[0-9a-f]+$/i.test(trimmed) && trimmed.length < 64) {
    return `this looks like an abbreviated hash: use all 64 characters; ${find}`;
  }
  if (/^[0-9a-f]+$/i.test(trimmed)) return `the hash is too long; ${find}`;
  return "datasets are named by content, not by version labels: add the files with " +
    `\`mlp data add PATH…\` and use the hash it prints; ${find}`;
}

/**
 * Verifying a dataset in `data/shadow/<hash>/` byte for byte against its manifest, and the checks
 * that locate a dataset directory and read its manifest safely, which `mlp data ls` shares.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { CheckError } from "../errors.ts";
import { didYouMean } from "../config/suggest.ts";
import { projectPaths, projectRelative } from "../project/paths.ts";
import { isDatasetHash, validateDatasetVersion } from "./dataset_id.ts";
import { hashFiles } from "./hash_files.ts";
import { datasetHash, MANIFEST_NAME, type ManifestEntry, parseManifest } from "./manifest.ts";
import { listTree } from "./tree.ts";
import {
  describeDataset,
  IMMUTABLE_HINT,
  isTable,
  type OnProgress,
  parseSchema,
  SCHEMA_NAME,
  type VerifiedDataset,
} from "./dataset.ts";
import { isWithin } from "./is_within.ts";

/** Options of `verifyDataset`. */
export interface VerifyOptions {
  /** Progress of hashing. */
  onProgress?: OnProgress;
  /** The directory of datasets to look in (`mlp reproduce --data DIR`); `data/shadow/` by default. */
  shadow?: string;
}

/**
 * Checks the dataset `hash` byte for byte: the directory is a real directory directly inside
 * `data/shadow/`, holds no symlinks or special files, its manifest hashes to its name, lists
 * exactly the files present, every file hashes to what the manifest says, and `schema.json` is
 * there. Runs call this before any project code runs.
 *
 * @throws {InputError} when `hash` is not 64 lowercase hexadecimal characters.
 * @throws {CheckError} naming the dataset and file for every other refusal.
 */
export async function verifyDataset(
  root: string,
  hash: string,
  options: VerifyOptions = {},
): Promise<VerifiedDataset> {
  validateDatasetVersion(hash);
  const dir = await datasetDirectory(root, hash, options.shadow);
  const relDir = projectRelative(root, dir);
  const tree = await listTree(dir);
  refuseSpecialFiles(tree, relDir);

  const entries = await readManifest(root, dir, hash);
  const present = new Map(
    tree.filter((entry) => entry.path !== MANIFEST_NAME).map((entry) => [entry.path, entry.size]),
  );
  const listed = new Set(entries.map((entry) => entry.path));
  const missing = entries.filter((entry) => !present.has(entry.path)).map((entry) => entry.path);
  if (missing.length > 0) {
    throw new CheckError(`File listed in ${MANIFEST_NAME} is missing from the dataset`, {
      location: { file: `${relDir}/${missing[0]}` },
      details: missing.slice(1).map((path) => `${relDir}/${path} is missing too`),
      hint: IMMUTABLE_HINT,
    });
  }
  const extra = [...present.keys()].filter((path) => !listed.has(path));
  if (extra.length > 0) {
    throw new CheckError(`File is not listed in the dataset's ${MANIFEST_NAME}`, {
      location: { file: `${relDir}/${extra[0]}` },
      details: extra.slice(1).map((path) => `${relDir}/${path} is not listed either`),
      hint: "datasets are immutable: remove the file; to add files, add a new dataset with " +
        "`mlp data add PATH…`",
    });
  }
  if (!listed.has(SCHEMA_NAME)) {
    throw new CheckError(`Dataset "${hash}" has no ${SCHEMA_NAME}`, {
      location: { file: `${relDir}/${MANIFEST_NAME}` },
      hint: "this dataset was not made by `mlp data add`: add its table files again with it",
    });
  }
  if (!entries.some((entry) => isTable(entry.path))) {
    throw new CheckError(`Dataset "${hash}" has no table file (.parquet or .csv)`, {
      location: { file: `${relDir}/${MANIFEST_NAME}` },
      hint: "add the table files as a new dataset with `mlp data add PATH…`",
    });
  }

  const sizes = entries.map((entry) => present.get(entry.path)!);
  const actual = await hashFiles(
    entries.map((entry, i) => ({ path: join(dir, entry.path), size: sizes[i] })),
    { onProgress: options.onProgress },
  );
  const changed = entries
    .map((entry, i) => ({ ...entry, actual: actual[i] }))
    .filter((entry) => entry.actual !== entry.sha256);
  if (changed.length > 0) {
    const [first, ...rest] = changed;
    throw new CheckError(
      `Dataset file changed since it was added: its SHA-256 is "${first.actual}", ` +
        `${MANIFEST_NAME} says "${first.sha256}"`,
      {
        location: { file: `${relDir}/${first.path}` },
        details: rest.map((entry) =>
          `${relDir}/${entry.path} changed too: "${entry.actual}", manifest says "${entry.sha256}"`
        ),
        hint: IMMUTABLE_HINT,
      },
    );
  }
  const schema = parseSchema(
    await Deno.readFile(join(dir, SCHEMA_NAME)),
    `${relDir}/${SCHEMA_NAME}`,
  );
  return describeDataset(hash, dir, entries, sizes, schema);
}

/**
 * Returns the absolute path of dataset `hash` after checking that it is a real directory
 * directly inside `data/shadow/` (not a symlink, not resolving elsewhere).
 *
 * @throws {CheckError} when it is missing (with a near match, if any), a symbolic link, not a
 *   directory, or resolves outside `data/shadow/`.
 */
export async function datasetDirectory(
  root: string,
  hash: string,
  shadow: string = projectPaths(root).shadow,
): Promise<string> {
  const dir = join(shadow, hash);
  const relDir = projectRelative(root, dir);
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(dir);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new CheckError(`Dataset "${hash}" not found in data/shadow/`, {
      hint: await notFoundHint(shadow, hash),
    });
  }
  const reAdd = "a dataset is a real directory inside data/shadow/: add its files again with " +
    "`mlp data add PATH…`";
  if (info.isSymlink) {
    const target = await Deno.realPath(dir).catch(() => Deno.readLink(dir));
    const inside = isWithin(target, await Deno.realPath(shadow));
    throw new CheckError(
      inside
        ? `Dataset directory "${relDir}" is a symbolic link`
        : `Dataset directory "${relDir}" is a symbolic link to "${target}", outside data/shadow/`,
      { hint: reAdd },
    );
  }
  if (!info.isDirectory) {
    throw new CheckError(`Dataset "${relDir}" is not a directory`, { hint: reAdd });
  }
  const real = await Deno.realPath(dir);
  if (dirname(real) !== (await Deno.realPath(shadow))) {
    throw new CheckError(
      `Dataset directory "${relDir}" resolves to "${real}", outside data/shadow/`,
      {
        hint: reAdd,
      },
    );
  }
  return dir;
}

/** Hint for a dataset hash that is not in the store: a near match, and how to list or add. */
async function notFoundHint(shadow: string, hash: string): Promise<string> {
  const known = (await shadowEntries(shadow)).filter(isDatasetHash);
  const listing = "`mlp data ls` lists the datasets; `mlp data add PATH…` adds one";
  if (known.length === 0) return `data/shadow/ holds no datasets; ${listing}`;
  const samePrefix = known.filter((name) => name.slice(0, 8) === hash.slice(0, 8));
  const guess = samePrefix.length === 1 ? samePrefix[0] : didYouMean(hash, known);
  return guess ? `did you mean "${guess}"? ${listing}` : listing;
}

/** Names in `data/shadow/` (the `shadow` path), or none when it does not exist. */
export async function shadowEntries(shadow: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(shadow)) names.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names;
}

/**
 * Reads and strictly parses a dataset's manifest after checking it hashes to `hash`.
 *
 * @param dir The dataset directory, as `datasetDirectory` returns it.
 * @throws {CheckError} when the manifest is missing, hashes to something else, is not UTF-8, or
 *   is malformed.
 */
export async function readManifest(
  root: string,
  dir: string,
  hash: string,
): Promise<ManifestEntry[]> {
  const path = join(dir, MANIFEST_NAME);
  const file = projectRelative(root, path);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new CheckError(`Dataset "${hash}" has no ${MANIFEST_NAME}`, {
      location: { file },
      hint: "this directory was not made by `mlp data add`: add its files again with it",
    });
  }
  const actual = datasetHash(bytes);
  if (actual !== hash) {
    throw new CheckError(
      `Manifest hashes to "${actual}", not to the dataset's name "${hash}": ` +
        "it was edited or the directory was renamed",
      { location: { file }, hint: IMMUTABLE_HINT },
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CheckError("Manifest is not valid UTF-8", {
      location: { file },
      hint: IMMUTABLE_HINT,
    });
  }
  return parseManifest(text, file);
}

/** Refuses symlinks and special files anywhere in a dataset. */
function refuseSpecialFiles(tree: readonly { path: string; kind: string }[], relDir: string) {
  const bad = tree.filter((entry) => entry.kind !== "file");
  if (bad.length === 0) return;
  const what = (kind: string) => kind === "symlink" ? "a symbolic link" : "a special file";
  throw new CheckError(`Dataset contains ${what(bad[0].kind)}`, {
    location: { file: `${relDir}/${bad[0].path}` },
    details: bad.slice(1).map((entry) => `${relDir}/${entry.path} is ${what(entry.kind)}`),
    hint: "a dataset holds regular files only: remove it, or add the data again as a new " +
      "dataset with `mlp data add PATH…`",
  });
}

/**
 * The dataset store, `data/shadow/<hash>/`: adding files as a new immutable dataset, verifying a
 * dataset byte for byte, and listing them. The layout (DESIGN.md "Dataset identity"):
 *
 * ```
 * data/shadow/<hash>/
 *   <table files and any other files, relative layout kept>
 *   schema.json        column names and dtypes, written by mlp, listed in the manifest
 *   MANIFEST.sha256    `<sha256>  <path>` per file but itself, sorted; <hash> = SHA-256 of it
 * ```
 *
 * so `sha256sum -c MANIFEST.sha256 && sha256sum MANIFEST.sha256` checks a dataset without mlp.
 *
 * @module
 */
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { CheckError, InputError } from "../errors.ts";
import { didYouMean } from "../config/suggest.ts";
import { projectPaths, projectRelative } from "../project/paths.ts";
import { compareBytewise } from "./bytewise.ts";
import { isDatasetHash, validateDatasetVersion } from "./dataset_id.ts";
import { hashFiles } from "./hash_files.ts";
import {
  datasetHash,
  formatManifest,
  invalidDatasetPath,
  MANIFEST_NAME,
  type ManifestEntry,
  parseManifest,
} from "./manifest.ts";
import { chmodTree, listTree } from "./tree.ts";

/** The column schema's file name inside a dataset directory. */
export const SCHEMA_NAME = "schema.json";

/** Suffixes of the files the trainer loads as tables, concatenated in manifest order. */
export const TABLE_SUFFIXES = [".parquet", ".csv"] as const;

/** Progress callback: bytes hashed so far and the total to hash. */
export type OnProgress = (doneBytes: number, totalBytes: number) => void;

/** A dataset that was checked byte for byte against its manifest. */
export interface VerifiedDataset {
  /** The dataset hash (SHA-256 of its manifest). */
  hash: string;
  /** SHA-256 of `schema.json`. */
  schemaHash: string;
  /** Absolute path of the dataset directory. */
  dir: string;
  /** Every file but the manifest, relative to `dir`, sorted bytewise. */
  files: string[];
  /** The table files, relative to `dir`, in the order the trainer concatenates them. */
  tables: string[];
  /** The parsed `schema.json`. */
  schema: unknown;
  /** Total size of `files` in bytes. */
  bytes: number;
}

/** What `addDataset` did. */
export interface AddedDataset extends VerifiedDataset {
  /** True when the identical dataset was already in the store; it was verified, not touched. */
  existed: boolean;
}

/** Options of `addDataset`. */
export interface AddOptions {
  /**
   * Reads the table files (absolute paths, in order) and returns the bytes of `schema.json`.
   * The real one runs the project's pandas (`pythonSchemaProbe`).
   */
  probeSchema: (tables: string[]) => Promise<Uint8Array>;
  /** Progress of hashing. */
  onProgress?: OnProgress;
  /** Directory that relative input paths are resolved against; default the current one. */
  cwd?: string;
}

/** Options of `verifyDataset`. */
export interface VerifyOptions {
  /** Progress of hashing. */
  onProgress?: OnProgress;
}

/** One dataset as `listDatasets` sees it. */
export interface DatasetSummary {
  hash: string;
  /** Project-relative directory, `data/shadow/<hash>`. */
  dir: string;
  /** Number of files, the manifest excluded. */
  files: number;
  bytes: number;
  tables: string[];
  /** Number of columns in `schema.json`, or null when it cannot be read. */
  columns: number | null;
  /** When the manifest was written, i.e. when the dataset was added. */
  added: Date | null;
  /** True or false when hashed (or found broken cheaply), null when not checked. */
  verified: boolean | null;
  /** Why verification failed. */
  problem: string | null;
}

/** The contents of `data/shadow/`. */
export interface DatasetListing {
  /** Datasets, most recently added first. */
  datasets: DatasetSummary[];
  /** Entries of `data/shadow/` that are not dataset directories (dot-files excluded). */
  ignored: string[];
}

const IMMUTABLE =
  "datasets are immutable: restore the original file, or add the changed data as a new " +
  "dataset with `mlp data add PATH…` and set dataset_version to the hash it prints";

/** True when `path` (a dataset-relative path) is a table file. */
export function isTable(path: string): boolean {
  return TABLE_SUFFIXES.some((suffix) => path.endsWith(suffix));
}

/**
 * Copies files into the store as a new dataset and returns its identity.
 *
 * The files are staged in a temporary directory inside `data/shadow/` (same filesystem), the
 * schema is probed from the staged copies, everything is hashed, the manifest written, the tree
 * made read-only (files 0444, directories 0555) and renamed into place in one step, so a
 * dataset directory is never seen half-written. If the identical dataset already exists it is
 * verified and left untouched.
 *
 * @param root The project root.
 * @param paths Regular files and directories (walked; their contents keep their relative
 *   layout, without the directory's own name).
 * @throws {InputError} for symlinks or special files, missing paths, paths in
 *   `data/production/`, name collisions or reserved names, and inputs without a table file.
 * @throws {CheckError} when the schema probe fails or an existing identical dataset fails
 *   verification.
 */
export async function addDataset(
  root: string,
  paths: readonly string[],
  options: AddOptions,
): Promise<AddedDataset> {
  const shadow = projectPaths(root).shadow;
  const inputs = await collectInputs(root, paths, options.cwd ?? Deno.cwd());
  await Deno.mkdir(shadow, { recursive: true });
  const staging = await Deno.makeTempDir({ dir: shadow, prefix: ".staging-" });
  try {
    for (const input of inputs) {
      const target = join(staging, input.path);
      await Deno.mkdir(dirname(target), { recursive: true });
      await Deno.copyFile(input.source, target);
    }
    const tables = inputs.map((input) => input.path).filter(isTable);
    const schemaBytes = await options.probeSchema(tables.map((table) => join(staging, table)));
    const schema = parseSchema(schemaBytes, "the schema probe's output");
    await Deno.writeFile(join(staging, SCHEMA_NAME), schemaBytes);

    // Hash the staged copies, not the sources: the dataset is what was copied.
    const files = (await listTree(staging)).filter((entry) => entry.kind === "file");
    const hashes = await hashFiles(
      files.map((file) => ({ path: join(staging, file.path), size: file.size })),
      { onProgress: options.onProgress },
    );
    const entries = files.map((file, i) => ({ path: file.path, sha256: hashes[i] }));
    const manifest = formatManifest(entries);
    await Deno.writeTextFile(join(staging, MANIFEST_NAME), manifest);
    const hash = datasetHash(manifest);
    const dir = join(shadow, hash);

    if (!(await exists(dir))) {
      await chmodTree(staging, 0o444, 0o555);
      try {
        await Deno.rename(staging, dir);
        return {
          ...describe(hash, dir, entries, files.map((file) => file.size), schema),
          existed: false,
        };
      } catch (error) {
        // Another `mlp data add` of the same files won the race: fall through and verify its copy.
        if (!(await exists(dir))) throw error;
      }
    }
    return { ...(await verifyDataset(root, hash)), existed: true };
  } finally {
    if (await exists(staging)) {
      await chmodTree(staging, 0o644, 0o755);
      await Deno.remove(staging, { recursive: true });
    }
  }
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
  const dir = await datasetDirectory(root, hash);
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
      hint: IMMUTABLE,
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
        hint: IMMUTABLE,
      },
    );
  }
  const schema = parseSchema(
    await Deno.readFile(join(dir, SCHEMA_NAME)),
    `${relDir}/${SCHEMA_NAME}`,
  );
  return describe(hash, dir, entries, sizes, schema);
}

/**
 * Lists the datasets in `data/shadow/`, most recently added first. Cheap by default: reads each
 * manifest, checks that it hashes to the directory's name and that its files exist, but hashes
 * no data. With `verify`, runs `verifyDataset` on each.
 */
export async function listDatasets(
  root: string,
  options: { verify?: boolean } = {},
): Promise<DatasetListing> {
  const shadow = projectPaths(root).shadow;
  const datasets: DatasetSummary[] = [];
  const ignored: string[] = [];
  for (const name of await shadowEntries(shadow)) {
    if (name.startsWith(".")) continue;
    if (!isDatasetHash(name)) {
      ignored.push(name);
      continue;
    }
    datasets.push(await summarize(root, name, options.verify ?? false));
  }
  datasets.sort((a, b) =>
    (b.added?.getTime() ?? 0) - (a.added?.getTime() ?? 0) || compareBytewise(a.hash, b.hash)
  );
  return { datasets, ignored: ignored.sort(compareBytewise) };
}

/** One line of `listDatasets`; problems become `verified: false` with the message. */
async function summarize(root: string, hash: string, verify: boolean): Promise<DatasetSummary> {
  const dir = join(projectPaths(root).shadow, hash);
  const summary: DatasetSummary = {
    hash,
    dir: projectRelative(root, dir),
    files: 0,
    bytes: 0,
    tables: [],
    columns: null,
    added: null,
    verified: null,
    problem: null,
  };
  try {
    const entries = await readManifest(root, await datasetDirectory(root, hash), hash);
    summary.files = entries.length;
    summary.tables = entries.map((entry) => entry.path).filter(isTable);
    summary.added = (await Deno.lstat(join(dir, MANIFEST_NAME))).mtime;
    for (const entry of entries) {
      const info = await Deno.lstat(join(dir, entry.path)).catch(() => null);
      if (!info?.isFile) {
        throw new CheckError(`File listed in ${MANIFEST_NAME} is missing from the dataset`, {
          location: { file: `${summary.dir}/${entry.path}` },
        });
      }
      summary.bytes += info.size;
    }
    summary.columns = await columnCount(join(dir, SCHEMA_NAME));
    if (verify) {
      await verifyDataset(root, hash);
      summary.verified = true;
    }
  } catch (error) {
    if (!(error instanceof CheckError)) throw error;
    summary.verified = false;
    summary.problem = error.location
      ? `${error.location.file}${
        error.location.line ? `:${error.location.line}` : ""
      }: ${error.message}`
      : error.message;
  }
  return summary;
}

/** Number of columns in a schema.json, or null when it is absent or not the expected shape. */
async function columnCount(path: string): Promise<number | null> {
  try {
    const schema = JSON.parse(await Deno.readTextFile(path));
    return Array.isArray(schema?.columns) ? schema.columns.length : null;
  } catch {
    return null;
  }
}

/**
 * Returns the absolute path of dataset `hash` after checking that it is a real directory
 * directly inside `data/shadow/` (not a symlink, not resolving elsewhere).
 */
async function datasetDirectory(root: string, hash: string): Promise<string> {
  const shadow = projectPaths(root).shadow;
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

/** Names in `data/shadow/`, or none when it does not exist. */
async function shadowEntries(shadow: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(shadow)) names.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names;
}

/** Reads and strictly parses a dataset's manifest after checking it hashes to `hash`. */
async function readManifest(root: string, dir: string, hash: string): Promise<ManifestEntry[]> {
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
      { location: { file }, hint: IMMUTABLE },
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CheckError("Manifest is not valid UTF-8", { location: { file }, hint: IMMUTABLE });
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

/** Parses the bytes of a `schema.json`; `file` names them in the message. */
function parseSchema(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new CheckError(`${SCHEMA_NAME} is not valid JSON: ${(error as Error).message}`, {
      location: { file },
      hint: "add the table files again with `mlp data add`, which writes the schema itself",
    });
  }
}

/** Builds the description of a dataset from its manifest entries. */
function describe(
  hash: string,
  dir: string,
  entries: readonly ManifestEntry[],
  sizes: readonly number[],
  schema: unknown,
): VerifiedDataset {
  const files = entries.map((entry) => entry.path);
  return {
    hash,
    schemaHash: entries.find((entry) => entry.path === SCHEMA_NAME)!.sha256,
    dir,
    files,
    tables: files.filter(isTable),
    schema,
    bytes: sizes.reduce((sum, size) => sum + size, 0),
  };
}

/** One file to copy into a new dataset. */
interface Input {
  /** Absolute source path. */
  source: string;
  /** Path inside the dataset. */
  path: string;
}

/**
 * Resolves the paths given to `mlp data add` to the files to copy, refusing anything that
 * cannot become a dataset.
 */
async function collectInputs(
  root: string,
  paths: readonly string[],
  cwd: string,
): Promise<Input[]> {
  const { production, shadow } = projectPaths(root);
  // What does not exist yet cannot be inside an input; the input path itself is still checked.
  const realProduction = await Deno.realPath(production).catch(() => resolve(production));
  const productionExists = await exists(production);
  const realShadow = await Deno.realPath(shadow).catch(() => resolve(shadow));
  const shadowExists = await exists(shadow);
  const byPath = new Map<string, Input & { given: string }>();
  const add = (given: string, source: string, path: string) => {
    const problem = invalidDatasetPath(path);
    if (problem) {
      throw new InputError(`File name "${path}" (from "${given}") ${problem}`, {
        hint: "rename the file: dataset manifests use plain `sha256sum` lines",
      });
    }
    if (path === MANIFEST_NAME || path === SCHEMA_NAME) {
      throw new InputError(
        `"${given}" would be stored as "${path}", a name mlp writes itself in every dataset`,
        { hint: `rename the file, or pass only the table files` },
      );
    }
    const clash = byPath.get(path);
    if (clash) {
      throw new InputError(
        `"${clash.given}" and "${given}" would both be stored as "${path}"`,
        { hint: "rename one of them, or pass the directory that holds both" },
      );
    }
    byPath.set(path, { source, path, given });
  };

  for (const given of paths) {
    const absolute = resolve(cwd, given);
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(absolute);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      throw new InputError(`No such file or directory "${given}"`);
    }
    const real = info.isSymlink ? absolute : await Deno.realPath(absolute);
    const containsProduction = productionExists && info.isDirectory &&
      isWithin(realProduction, real);
    if (isWithin(real, realProduction) || containsProduction) {
      throw new InputError(`"${given}" is or contains data/production/`, {
        hint: "production data never enters a dataset: copy the shadow extract you may use " +
          "outside data/production/ and add that",
      });
    }
    if (shadowExists && info.isDirectory && isWithin(realShadow, real)) {
      throw new InputError(`"${given}" contains data/shadow/, the dataset store itself`, {
        hint: "pass the directory or files of the new dataset only",
      });
    }
    if (info.isSymlink) {
      throw new InputError(`"${given}" is a symbolic link: datasets hold regular files only`, {
        hint: `pass the file it points to ("${await Deno.readLink(absolute)}")`,
      });
    }
    if (info.isFile) {
      add(given, absolute, basename(absolute));
    } else if (info.isDirectory) {
      for (const entry of await listTree(absolute)) {
        const shown = join(given, entry.path);
        if (entry.kind !== "file") {
          throw new InputError(
            `"${shown}" is ${entry.kind === "symlink" ? "a symbolic link" : "a special file"}: ` +
              "datasets hold regular files only",
            { hint: "copy the files you mean into a directory of regular files and add that" },
          );
        }
        add(shown, join(absolute, entry.path), entry.path);
      }
    } else {
      throw new InputError(`"${given}" is a special file: datasets hold regular files only`);
    }
  }
  const inputs = [...byPath.values()].sort((a, b) => compareBytewise(a.path, b.path));
  if (!inputs.some((input) => isTable(input.path))) {
    throw new InputError(
      `No table file among ${
        inputs.length === 0 ? "the paths given" : `the ${inputs.length} files given`
      }: ` +
        `a dataset needs at least one ${TABLE_SUFFIXES.join(" or ")} file`,
      { hint: "pass the table files (lowercase suffix), or the directory that holds them" },
    );
  }
  return inputs.map(({ source, path }) => ({ source, path }));
}

/** True when `path` is `parent` or inside it (both absolute). */
function isWithin(path: string, parent: string): boolean {
  const rel = relative(parent, path);
  return rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** True when something exists at `path` (symlinks not followed). */
async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

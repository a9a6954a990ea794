/**
 * Listing the datasets in `data/shadow/` for `mlp data ls`: cheap summaries by default, full
 * verification on request.
 *
 * @module
 */
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import { projectPaths, projectRelative } from "../project/paths.ts";
import { compareBytewise } from "./bytewise.ts";
import { isDatasetHash } from "./dataset_id.ts";
import { MANIFEST_NAME } from "./manifest.ts";
import { IMMUTABLE_HINT, isTable, SCHEMA_NAME } from "./dataset.ts";
import { datasetDirectory, readManifest, shadowEntries, verifyDataset } from "./verify.ts";

/** One dataset as `listDatasets` sees it. */
export interface DatasetSummary {
  /** The dataset hash, which is its directory's name. */
  hash: string;
  /** Project-relative directory, `data/shadow/<hash>`. */
  dir: string;
  /** Number of files, the manifest excluded. */
  files: number;
  /** Total size of the files in bytes, the manifest excluded. */
  bytes: number;
  /** The table files, relative to `dir`, in manifest order. */
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
          hint: IMMUTABLE_HINT,
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

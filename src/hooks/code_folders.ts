/**
 * src/ and configs/ hold code and configs, never data: the pre-commit hook refuses a staged data
 * file there (by its extension, compressed too) and any staged file there over
 * `code_files.max_file_bytes` of the standards. Data goes through `mlp data add`, which stores it
 * content-addressed under data/shadow/ where runs read it verified. (Production rows copied into
 * src/ were once committed and read by a run.) Pure.
 *
 * @module
 */
import type { FileProblem } from "../guard/check_file.ts";
import { DEFAULT_MAX_FILE_BYTES, parseStandards, type Standards } from "../config/standards.ts";
import { STANDARDS_PATH } from "../project/paths.ts";
import type { StagedChange } from "./staged.ts";

/** The folders that hold code and configs only. */
const CODE_FOLDERS = ["src/", "configs/"];

/** Extensions of tables, arrays and serialized objects: data, whatever their size. */
const DATA_EXTENSIONS = [
  ".csv",
  ".tsv",
  ".parquet",
  ".xlsx",
  ".xls",
  ".pkl",
  ".pickle",
  ".feather",
  ".arrow",
  ".npy",
  ".npz",
  ".h5",
  ".hdf5",
  ".joblib",
  ".orc",
  ".avro",
];
const COMPRESSED = /\.(gz|bz2|xz|zst|zip)$/i;

/** Whether the project-relative path lies in src/ or configs/. */
export function inCodeFolder(path: string): boolean {
  return CODE_FOLDERS.some((folder) => path.startsWith(folder));
}

/**
 * The data extension of a file name as it is written (`.csv` of `rows.csv.gz`, `.PARQUET`), or
 * `undefined` when the name is not a data file's.
 */
export function dataExtension(path: string): string | undefined {
  const name = path.replace(COMPRESSED, "");
  const lower = name.toLowerCase();
  const extension = DATA_EXTENSIONS.find((ext) => lower.endsWith(ext));
  return extension && name.slice(name.length - extension.length);
}

/**
 * The size limit a commit is held to: the lower of the standards at HEAD and the staged ones, so
 * a commit cannot raise its own limit; a side that does not parse counts as the default.
 *
 * @param parsed The staged standards, when the caller has parsed them already (parsing takes
 *   milliseconds, and the hook runs on every commit).
 */
export function maxFileBytes(
  staged: string | null,
  head: string | null,
  parsed?: Standards,
): number {
  const limit = (text: string | null) => {
    if (text === null) return DEFAULT_MAX_FILE_BYTES;
    try {
      return parseStandards(text, STANDARDS_PATH).code_files.max_file_bytes;
    } catch {
      // The staged side's problems are reported by the standards check; HEAD's were committed.
      return DEFAULT_MAX_FILE_BYTES;
    }
  };
  const stagedLimit = parsed?.code_files.max_file_bytes ?? limit(staged);
  return Math.min(stagedLimit, head === staged ? stagedLimit : limit(head));
}

/**
 * The staged files in src/ and configs/ that are data files or over `limit` bytes.
 *
 * @param size The staged size of a path in bytes.
 * @param limit The limit, asked for only when a staged file in src/ or configs/ is not data.
 */
export function checkCodeFolders(
  changes: readonly StagedChange[],
  size: (path: string) => number,
  limit: () => number,
): FileProblem[] {
  const findings: FileProblem[] = [];
  for (const { path, status } of changes) {
    if (status === "D" || !inCodeFolder(path)) continue;
    const folder = `${path.slice(0, path.indexOf("/"))}/`;
    const extension = dataExtension(path);
    if (extension !== undefined) {
      findings.push({
        file: path,
        message: `a data file ("${extension}") in ${folder}, which holds code and configs only`,
        hint: `store data as a dataset: \`mlp data add ${path}\` copies it into ` +
          "data/shadow/<hash>/ and prints the hash to set as dataset_version; then remove this " +
          `copy (\`git rm --cached ${path}\` and delete the file)`,
      });
      continue;
    }
    const bytes = size(path);
    const max = limit();
    if (bytes <= max) continue;
    findings.push({
      file: path,
      message: `the file is ${bytes} bytes, over the limit of ${max} bytes for src/ and ` +
        `configs/ (code_files.max_file_bytes in ${STANDARDS_PATH})`,
      hint: "src/ and configs/ hold code and configs only: if it is data, store it with " +
        `\`mlp data add ${path}\` and remove this copy (\`git rm --cached ${path}\`); a larger ` +
        "limit is a reviewed change of code_files.max_file_bytes, committed first",
    });
  }
  return findings;
}

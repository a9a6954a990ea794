/**
 * The feature-pipeline hash (docs/architecture.md "Feature-pipeline hash"): SHA-256 over
 * `src/features.py`, every project-local module it imports (transitively), and the `features`
 * section of the experiment config exactly as `build_features` receives it. The bytes hashed, in
 * order:
 *
 * ```
 * for each file, sorted by project-relative path (bytewise):  <path> \0 <sha256 hex of file> \n
 * then:                                                        features \0 <featuresJson(section)>
 * ```
 *
 * Project-local means a module under `src/`, imported as a top-level name because the trainer
 * puts `src/` on `sys.path` (`import helpers` is `src/helpers.py` or `src/helpers/__init__.py`).
 * Files are read through a `SourceReader`, so the same code hashes the disk (`mlp run`) and a
 * commit's tree (the merge gate).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import { compareBytewise } from "../cas/bytewise.ts";
import { gitRun, gitShow, resolveCommit } from "./git.ts";
import { importedModules, type ModuleName } from "./python_imports.ts";

/** Reads a project-relative path (forward slashes); null when there is no such file. */
export type SourceReader = (path: string) => Promise<Uint8Array | null>;

/** The entry point of the feature pipeline. */
export const FEATURES_PATH = "src/features.py";

/** The hash and the files that went into it. */
export interface FeaturePipelineHash {
  /** SHA-256, lowercase hex. */
  hash: string;
  /** Project-relative paths of the hashed files, sorted bytewise. */
  files: string[];
}

/**
 * Computes the feature-pipeline hash from `src/features.py`, the project-local modules it
 * imports, and the config's `features` section (absent is hashed as `null`).
 *
 * @throws {CheckError} when `src/features.py` does not exist.
 *
 * @example Usage
 * ```ts
 * import { diskReader, featurePipelineHash } from "./feature_hash.ts";
 * await featurePipelineHash(diskReader("."), { lags: [1, 7] });
 * // => { hash: "3f1c…", files: ["src/features.py", "src/helpers.py"] }
 * ```
 */
export async function featurePipelineHash(
  read: SourceReader,
  featuresSection: unknown,
): Promise<FeaturePipelineHash> {
  const entry = await read(FEATURES_PATH);
  if (entry === null) {
    throw new CheckError(`"${FEATURES_PATH}" does not exist`, {
      hint: "every project builds its features in src/features.py (`build_features`); " +
        "restore it from the template or git history",
    });
  }
  const sources = new Map<string, Uint8Array>([[FEATURES_PATH, entry]]);
  const queue: [string, ModuleName][] = [[FEATURES_PATH, { name: "features", isPackage: false }]];
  const decoder = new TextDecoder();
  while (queue.length > 0) {
    const [path, module] = queue.shift()!;
    for (const name of importedModules(decoder.decode(sources.get(path)!), module)) {
      const local = await readModule(read, name);
      if (local && !sources.has(local.path)) {
        sources.set(local.path, local.bytes);
        queue.push([local.path, { name, isPackage: local.path.endsWith("/__init__.py") }]);
      }
    }
  }
  const files = [...sources.keys()].sort(compareBytewise);
  const digest = createHash("sha256");
  for (const file of files) {
    digest.update(`${file}\0${createHash("sha256").update(sources.get(file)!).digest("hex")}\n`);
  }
  digest.update(`features\0${featuresJson(featuresSection)}`);
  return { hash: digest.digest("hex"), files };
}

/**
 * The `features` section as `build_features` receives it: JSON without whitespace, keys in the
 * config's order (the order in which the plan writes them and Python's `json` keeps them), since
 * the order can change what the features code makes (the order of its columns). An absent section
 * is `null`. Logged as the run's `features_json` param, so a run can be rebuilt from its params.
 *
 * @throws {TypeError} for a number JSON cannot represent (validation refuses `.inf` and `.nan`).
 *
 * @example Usage
 * ```ts
 * import { featuresJson } from "./feature_hash.ts";
 * featuresJson({ scale: { method: "robust", clip: 3 }, lags: [1, 7] });
 * // => '{"scale":{"method":"robust","clip":3},"lags":[1,7]}'
 * ```
 */
export function featuresJson(section: unknown): string {
  return JSON.stringify(section ?? null, (_key, value) => {
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new TypeError(`${value} cannot be written as JSON`);
    }
    return value;
  });
}

/**
 * Finds module `name` under `src/` the way Python's path finder does: a package directory's
 * `__init__.py` before a module file.
 */
async function readModule(
  read: SourceReader,
  name: string,
): Promise<{ path: string; bytes: Uint8Array } | null> {
  const base = `src/${name.split(".").join("/")}`;
  for (const path of [`${base}/__init__.py`, `${base}.py`]) {
    const bytes = await read(path);
    if (bytes !== null) return { path, bytes };
  }
  return null;
}

/** Reads files from the work tree at `root`. */
export function diskReader(root: string): SourceReader {
  return async (path) => {
    try {
      const info = await Deno.stat(join(root, path));
      return info.isFile ? await Deno.readFile(join(root, path)) : null;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
        return null;
      }
      throw error;
    }
  };
}

/**
 * Reads files as they are in `commit`'s tree. Lists the commit's `src/` once, so looking up
 * modules that are not in the project (numpy, pandas …) costs no git call.
 *
 * @throws {CheckError} (from the reader) when `commit` is not a commit.
 */
export function gitTreeReader(root: string, commit: string): SourceReader {
  let tree: Promise<{ sha: string; paths: Set<string> }> | undefined;
  const list = async () => {
    const sha = await resolveCommit(root, commit);
    const output = await gitRun(root, ["ls-tree", "-r", "-z", "--name-only", sha, "--", "src"]);
    return { sha, paths: new Set(output.split("\0").filter((path) => path !== "")) };
  };
  return async (path) => {
    tree ??= list();
    const { sha, paths } = await tree;
    return paths.has(path) ? await gitShow(root, sha, path) : null;
  };
}

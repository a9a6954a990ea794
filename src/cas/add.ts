/**
 * Adding files to the store as a new immutable dataset, `data/shadow/<hash>/`, and refusing
 * inputs that cannot become one.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { InputError, InterruptedError } from "../errors.ts";
import { projectPaths, projectRelative } from "../project/paths.ts";
import { refusalForOsError } from "../os_error.ts";
import { compareBytewise } from "./bytewise.ts";
import { hashFiles } from "./hash_files.ts";
import { datasetHash, formatManifest, invalidDatasetPath, MANIFEST_NAME } from "./manifest.ts";
import { chmodTree, listTree } from "./tree.ts";
import {
  describeDataset,
  isTable,
  type OnProgress,
  parseSchema,
  SCHEMA_NAME,
  TABLE_SUFFIXES,
  type VerifiedDataset,
} from "./dataset.ts";
import { isWithin } from "./is_within.ts";
import { verifyDataset } from "./verify.ts";
import { exists } from "../project/exists.ts";

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
  /**
   * Aborted when the user interrupts: the add stops at the next file or step, and the partial
   * copy is removed.
   */
  signal?: AbortSignal;
}

/**
 * Copies files into the store as a new dataset and returns its identity.
 *
 * The files are staged in a temporary directory inside `data/shadow/` (same filesystem), the
 * schema is probed from the staged copies, everything is hashed, the manifest written, the tree
 * made read-only (files 0444, directories 0555) and renamed into place in one step, so a
 * dataset directory is never seen half-written. If the identical dataset already exists it is
 * verified and left untouched. An interrupted add (`options.signal`) or one the operating system
 * stops (a full, read-only or forbidden store) removes its staging copy.
 *
 * @param root The project root.
 * @param paths Regular files and directories (walked; their contents keep their relative
 *   layout, without the directory's own name).
 * @throws {InputError} for symlinks or special files, missing paths, paths in
 *   `data/production/`, name collisions or reserved names, and inputs without a table file.
 * @throws {CheckError} when the schema probe fails, an existing identical dataset fails
 *   verification, or the operating system refuses a file operation (`src/os_error.ts`).
 * @throws {InterruptedError} when `options.signal` is aborted before the dataset is in place.
 */
export async function addDataset(
  root: string,
  paths: readonly string[],
  options: AddOptions,
): Promise<AddedDataset> {
  const shadow = projectPaths(root).shadow;
  const inputs = await collectInputs(root, paths, options.cwd ?? Deno.cwd());
  // A full, read-only or forbidden store is named as the store, not as the staging copy in it.
  const storeRefusal = async (error: unknown) =>
    (await refusalForOsError(error, {
      command: "mlp data add",
      outcome: "nothing was stored and no partial copy is left",
      where: shadow,
      show: (path) => isWithin(path, shadow) ? projectRelative(root, shadow) : path,
    })) ?? error;
  let staging: string;
  try {
    await Deno.mkdir(shadow, { recursive: true });
    staging = await Deno.makeTempDir({ dir: shadow, prefix: ".staging-" });
  } catch (error) {
    throw await storeRefusal(error);
  }
  const checkInterrupted = () => {
    if (options.signal?.aborted) {
      throw new InterruptedError("Interrupted: the dataset was not added", {
        hint: "nothing was stored (the partial copy is removed); run `mlp data add` again",
      });
    }
  };
  try {
    for (const input of inputs) {
      checkInterrupted();
      const target = join(staging, input.path);
      await Deno.mkdir(dirname(target), { recursive: true });
      await Deno.copyFile(input.source, target);
    }
    checkInterrupted();
    const tables = inputs.map((input) => input.path).filter(isTable);
    const schemaBytes = await options.probeSchema(tables.map((table) => join(staging, table)));
    checkInterrupted();
    const schema = parseSchema(schemaBytes, "the schema probe's output");
    await Deno.writeFile(join(staging, SCHEMA_NAME), schemaBytes);

    // Hash the staged copies, not the sources: the dataset is what was copied.
    const files = (await listTree(staging)).filter((entry) => entry.kind === "file");
    const hashes = await hashFiles(
      files.map((file) => ({ path: join(staging, file.path), size: file.size })),
      { onProgress: options.onProgress, signal: options.signal },
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
          ...describeDataset(hash, dir, entries, files.map((file) => file.size), schema),
          existed: false,
        };
      } catch (error) {
        // Another `mlp data add` of the same files won the race: fall through and verify its copy.
        if (!(await exists(dir))) throw error;
      }
    }
    return { ...(await verifyDataset(root, hash)), existed: true };
  } catch (error) {
    // The terminal's Ctrl-C reaches the schema probe's Python too, and an aborted hash throws:
    // report the interrupt, not what it broke.
    checkInterrupted();
    throw await storeRefusal(error);
  } finally {
    if (await exists(staging)) {
      await chmodTree(staging, 0o644, 0o755);
      await Deno.remove(staging, { recursive: true });
    }
  }
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
      throw new InputError(`No such file or directory "${given}"`, {
        hint: "paths are relative to the current directory: give the .parquet or .csv file, " +
          "or the directory that holds it",
      });
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
      throw new InputError(`"${given}" is a special file: datasets hold regular files only`, {
        hint:
          "copy the data into a regular file first (e.g. `cat fifo > table.csv`), then add that",
      });
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

/**
 * The project-code hash (docs/architecture.md "Project-code hash"): SHA-256 over every file under
 * `src/`, the folder the trainer imports project code from, so `model.py` and every helper module
 * count, imported or not, and so do files that are not Python (a `.pyc` or a shared library is
 * code too). Python's own bytecode caches (`__pycache__/<module>.<tag>.pyc`) are left out: the
 * trainer never reads them. The bytes hashed:
 *
 * ```
 * for each file, sorted by project-relative path (bytewise):  <path> \0 <sha256 hex of file> \n
 * ```
 *
 * A symbolic link is hashed as its target's text, as git stores it. The same function hashes the
 * disk (`mlp run`) and a commit's tree (the merge gate), through a {@linkcode CodeSource}.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { compareBytewise } from "../cas/bytewise.ts";
import { CODE_DIR, isPythonCache } from "./dirty_rules.ts";
import { gitRun, gitShow, resolveCommit } from "./git.ts";

/** The files under `src/` and a way to read them. */
export interface CodeSource {
  /** Project-relative paths (forward slashes) of every file under `src/`. */
  list(): Promise<string[]>;
  /** The bytes of one listed file (a link's target text). */
  read(path: string): Promise<Uint8Array>;
}

/**
 * Computes the project-code hash of the files `source` lists.
 *
 * @example Usage
 * ```ts
 * import { diskCode, projectCodeHash } from "./code_hash.ts";
 * await projectCodeHash(diskCode("."));
 * // => { hash: "9b0e…", files: ["src/features.py", "src/model.py"] }
 * ```
 */
export async function projectCodeHash(
  source: CodeSource,
): Promise<{ hash: string; files: string[] }> {
  const files = (await source.list()).filter((path) => !isPythonCache(path)).sort(compareBytewise);
  const digest = createHash("sha256");
  for (const file of files) {
    const bytes = await source.read(file);
    digest.update(`${file}\0${createHash("sha256").update(bytes).digest("hex")}\n`);
  }
  return { hash: digest.digest("hex"), files };
}

/** The files under `src/` in the work tree at `root`; links are not followed. */
export function diskCode(root: string): CodeSource {
  return {
    list: async () => {
      const found: string[] = [];
      const walk = async (dir: string) => {
        for await (const entry of Deno.readDir(join(root, dir))) {
          const path = `${dir}/${entry.name}`;
          if (entry.isDirectory) await walk(path);
          else found.push(path);
        }
      };
      try {
        await walk(CODE_DIR);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      return found;
    },
    read: async (path) => {
      const info = await Deno.lstat(join(root, path));
      if (info.isSymlink) return new TextEncoder().encode(await Deno.readLink(join(root, path)));
      return await Deno.readFile(join(root, path));
    },
  };
}

/**
 * The files under `src/` in `commit`'s tree.
 *
 * @throws {CheckError} (from `list`) when `commit` is not a commit.
 */
export function gitCode(root: string, commit: string): CodeSource {
  let sha: Promise<string> | undefined;
  return {
    list: async () => {
      sha ??= resolveCommit(root, commit);
      const output = await gitRun(root, [
        "ls-tree",
        "-r",
        "-z",
        "--name-only",
        await sha,
        "--",
        CODE_DIR,
      ]);
      return output.split("\0").filter((path) => path !== "");
    },
    read: async (path) => {
      sha ??= resolveCommit(root, commit);
      const bytes = await gitShow(root, await sha, path);
      if (bytes === null) throw new Error(`"${path}" is listed but not in the tree`);
      return bytes;
    },
  };
}

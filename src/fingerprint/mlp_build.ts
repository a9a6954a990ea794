/**
 * The mlp build a run was made with, logged as `mlp_build` beside `mlp_version`. The version alone
 * says nothing about the code between two releases, and the platform Python (splits, fitting,
 * metrics) decides the numbers a run records, so the build names the exact source:
 *
 * ```
 * <version>+ts.<hash of the TypeScript under src/>.py.<hash of src/python/mlp_platform/*.{py,json}>
 * hash = SHA-256 over, for each file sorted bytewise by relative path:  <path> \0 <sha256 hex> \n
 * ```
 *
 * The TypeScript is every `.ts` file under `src/` except tests (`*_test.ts`) and their helpers
 * (`testing.ts`), paths relative to `src/`; the Python is the platform package's `.py` files and the
 * contract files it reads (`.json`, generated from `src/contract/`), paths relative to
 * `mlp_platform/`. From source (`bin/mlp`) the build is hashed on each call (about
 * 300 KB: 12 to 35 ms cold, 5 ms warm); a compiled mlp reads the value `make build` computed from
 * the same tree, since `deno compile` embeds TypeScript modules transpiled, not their source.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import { compareBytewise } from "../cas/bytewise.ts";
import { MLP_VERSION } from "../version.ts";

/** `src/` of this mlp (inside the binary's embedded files when compiled). */
export const MLP_SOURCE_DIR = new URL("..", import.meta.url);

/** Where `make build` writes the build for `deno compile` to embed (see the Makefile). */
export const COMPILED_BUILD_FILE = new URL("../../dist/mlp_build", import.meta.url);

/** A file's path (relative, forward slashes) and bytes. */
export type SourceFile = [path: string, bytes: Uint8Array];

/**
 * SHA-256 hex over `path \0 <sha256 hex of bytes> \n` for each file, sorted bytewise by path.
 *
 * @example Usage
 * ```ts
 * import { sourceTreeHash } from "./mlp_build.ts";
 * sourceTreeHash([["plan.py", new TextEncoder().encode("PLAN = 1\n")]]).length; // => 64
 * ```
 */
export function sourceTreeHash(files: readonly SourceFile[]): string {
  const digest = createHash("sha256");
  const sorted = [...files].sort(([a], [b]) => compareBytewise(a, b));
  for (const [path, bytes] of sorted) {
    digest.update(`${path}\0${createHash("sha256").update(bytes).digest("hex")}\n`);
  }
  return digest.digest("hex");
}

/**
 * The platform package under `<src>/python/mlp_platform/`, by file name: its Python modules and
 * the contract files they read (`*.json`, see `src/contract/render.ts`).
 */
export async function readPlatformSources(src: string | URL): Promise<SourceFile[]> {
  const dir = join(pathOf(src), "python", "mlp_platform");
  const files: SourceFile[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && (entry.name.endsWith(".py") || entry.name.endsWith(".json"))) {
      files.push([entry.name, await Deno.readFile(join(dir, entry.name))]);
    }
  }
  return files;
}

/** Every `.ts` file under `src`, tests and test helpers left out, by path relative to `src`. */
async function readTypeScriptSources(src: string): Promise<SourceFile[]> {
  const paths: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const subdirs: Promise<void>[] = [];
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) subdirs.push(walk(path));
      else if (entry.isFile && isProductionTypeScript(entry.name)) paths.push(path);
    }
    await Promise.all(subdirs);
  };
  await walk(src);
  return await Promise.all(
    paths.map(async (path): Promise<SourceFile> => [
      relative(src, path).split("\\").join("/"),
      await Deno.readFile(path),
    ]),
  );
}

function isProductionTypeScript(name: string): boolean {
  return name.endsWith(".ts") && !name.endsWith("_test.ts") && name !== "testing.ts";
}

function pathOf(dir: string | URL): string {
  return typeof dir === "string" ? dir : decodeURIComponent(dir.pathname);
}

/**
 * The build of the mlp source tree at `src` (a checkout's `src/` directory).
 *
 * @example Usage
 * ```ts
 * import { mlpBuildOf } from "./mlp_build.ts";
 * await mlpBuildOf("src"); // => "0.1.0+ts.5c1e….py.9a0b…"
 * ```
 */
export async function mlpBuildOf(src: string | URL): Promise<string> {
  const dir = pathOf(src);
  const typescript = sourceTreeHash(await readTypeScriptSources(dir));
  const python = sourceTreeHash(await readPlatformSources(dir));
  return `${MLP_VERSION}+ts.${typescript}.py.${python}`;
}

/** The build of the running mlp: hashed from its source, or as `make build` recorded it. */
export async function mlpBuild(): Promise<string> {
  if (Deno.build.standalone) return (await Deno.readTextFile(COMPILED_BUILD_FILE)).trim();
  return await mlpBuildOf(MLP_SOURCE_DIR);
}

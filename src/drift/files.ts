/**
 * The files under a folder, as project-relative paths: what the template generates and what a
 * project holds are both compared as lists of paths.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { scaffoldFiles } from "./scaffold.ts";

/** The template folder shipped inside mlp (`template/` of its repository; `make build` includes it). */
export const TEMPLATE_DIR: string = fileURLToPath(new URL("../../template/", import.meta.url));

/**
 * Every file (and symlink) under `dir`, relative to it with forward slashes, sorted bytewise.
 * Folders named `.git` are not entered. A missing `dir` has no files.
 */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function visit(relative: string): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(join(dir, relative)));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound && relative === "") return;
      throw error;
    }
    for (const entry of entries) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory) {
        if (entry.name !== ".git") await visit(path);
      } else {
        out.push(path);
      }
    }
  }
  await visit("");
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The scaffold files mlp's own template generates (see scaffold.ts). */
export async function shippedScaffold(): Promise<string[]> {
  return scaffoldFiles(await listFiles(TEMPLATE_DIR));
}

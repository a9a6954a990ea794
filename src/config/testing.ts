/**
 * Test fixtures for code that reads a project's configs: a temporary project with mlp's default
 * standards and the valid configs of testdata/. Not part of mlp.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";

/** mlp's default standards, as `mlp schema` and the template use them. */
export const STANDARDS = new URL("../../configs/project_standards.yaml", import.meta.url);
/** A valid experiment config for {@linkcode STANDARDS}. */
export const EXPERIMENT = new URL("./testdata/experiment.yaml", import.meta.url);
/** A valid reasoning file. */
export const REASONING = new URL("./testdata/reasoning.yaml", import.meta.url);

/** Runs `fn` in a temporary project with mlp's default standards and valid configs; removes it. */
export async function withProject(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "mlp_project_" });
  try {
    await Deno.mkdir(join(root, "configs"));
    await Deno.mkdir(join(root, "src"));
    await Deno.copyFile(STANDARDS, join(root, "configs/project_standards.yaml"));
    await Deno.copyFile(EXPERIMENT, join(root, "configs/experiment.yaml"));
    await Deno.copyFile(REASONING, join(root, "configs/reasoning.yaml"));
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** Replaces `from` with `to` in the project file `path` (`from` must occur). */
export async function editFile(
  root: string,
  path: string,
  from: string,
  to: string,
): Promise<void> {
  const text = await Deno.readTextFile(join(root, path));
  assert.ok(text.includes(from), `${path} lacks ${JSON.stringify(from)}`);
  await Deno.writeTextFile(join(root, path), text.replace(from, to));
}

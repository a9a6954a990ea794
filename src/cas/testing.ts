/**
 * Test support for the dataset store: a project in a temporary directory with a CSV pair outside
 * the store, a schema probe that needs no Python, and helpers to add that pair and to catch a
 * refusal.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { CheckError, InputError, type MlpError } from "../errors.ts";
import { addDataset } from "./add.ts";
import { chmodTree } from "./tree.ts";

/** The `schema.json` every fake probe returns. */
export const SCHEMA = '{"columns":[{"dtype":"int64","name":"x"},{"dtype":"object","name":"y"}]}\n';
/** Contents of `incoming/train.csv`. */
export const TRAIN = "x,y\n1,a\n2,b\n";
/** Contents of `incoming/sub/test.csv`. */
export const TEST = "x,y\n3,c\n";

/** The schema probe is an injected dependency; this one records what it was asked to read. */
export function fakeProbe(calls: string[][] = []): (tables: string[]) => Promise<Uint8Array> {
  return (tables: string[]) => {
    calls.push(tables);
    return Promise.resolve(new TextEncoder().encode(SCHEMA));
  };
}

/** SHA-256 of `text`, in hexadecimal. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A project directory with one CSV pair in `incoming/`, outside the store. */
export async function withProject(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "mlp-cas-" });
  try {
    await Deno.mkdir(join(root, "configs"));
    await Deno.writeTextFile(join(root, "configs/project_standards.yaml"), "{}\n");
    await Deno.mkdir(join(root, "incoming/sub"), { recursive: true });
    await Deno.writeTextFile(join(root, "incoming/train.csv"), TRAIN);
    await Deno.writeTextFile(join(root, "incoming/sub/test.csv"), TEST);
    await fn(root);
  } finally {
    await chmodTree(root, 0o644, 0o755);
    await Deno.remove(root, { recursive: true });
  }
}

/** Adds `incoming/` of a `withProject` project as a dataset and returns its hash. */
export async function addIncoming(root: string): Promise<string> {
  const added = await addDataset(root, ["incoming"], { probeSchema: fakeProbe(), cwd: root });
  return added.hash;
}

/**
 * Overwrites `path` inside the stored dataset `hash` with `text`, as a careless edit would (the
 * file is made writable first), and returns the file's absolute path.
 */
export async function tamperWith(
  root: string,
  hash: string,
  path: string,
  text: string,
): Promise<string> {
  const file = join(root, "data/shadow", hash, path);
  await Deno.chmod(file, 0o644);
  await Deno.writeTextFile(file, text);
  return file;
}

/** The `CheckError` or `InputError` that `promise` rejects with; fails when it resolves. */
export async function refusal(promise: Promise<unknown>): Promise<MlpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CheckError || error instanceof InputError) return error;
    throw error;
  }
  assert.fail("expected a refusal");
}

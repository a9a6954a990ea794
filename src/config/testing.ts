/**
 * Test fixtures for code that reads a project's configs: a temporary project with mlp's default
 * standards and the valid configs of testdata/. Not part of mlp.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { formatEntry, GENESIS } from "../audit/override_log.ts";
import { datasetHash, formatManifest } from "../cas/manifest.ts";

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

/** A dataset as `data/shadow/<hash>/` holds it: its hash and its files (dataset-relative path → text). */
export interface TestDataset {
  hash: string;
  files: Record<string, string>;
}

/**
 * A small dataset with the given columns, made as `mlp data add` makes one (a table,
 * `schema.json`, a manifest whose SHA-256 is the hash) without needing Python to probe it.
 */
export function testDataset(columns: readonly string[]): TestDataset {
  const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
  const schema = JSON.stringify({ columns: columns.map((name) => ({ dtype: "int64", name })) });
  const files: Record<string, string> = {
    "applications.csv": `${columns.join(",")}\n${columns.map(() => "0").join(",")}\n`,
    "schema.json": `${schema}\n`,
  };
  const manifest = formatManifest(
    Object.entries(files).map(([path, text]) => ({ path, sha256: sha256(text) })),
  );
  const hash = datasetHash(manifest);
  return { hash, files: { ...files, "MANIFEST.sha256": manifest } };
}

/**
 * The dataset of the test projects: the default target column, the date column the tests'
 * temporal splits name, and `label`, the target column the standards tests move to.
 */
export const DATASET: TestDataset = testDataset(["income", "day", "label", "default"]);

/**
 * Writes `dataset` into `data/shadow/<hash>/` of the project at `root` and points
 * `configs/experiment.yaml` at it.
 */
export async function storeDataset(root: string, dataset: TestDataset = DATASET): Promise<void> {
  for (const [path, text] of Object.entries(dataset.files)) {
    const file = join(root, "data/shadow", dataset.hash, path);
    await Deno.mkdir(dirname(file), { recursive: true });
    await Deno.writeTextFile(file, text);
  }
  const config = join(root, "configs/experiment.yaml");
  const text = await Deno.readTextFile(config);
  await Deno.writeTextFile(
    config,
    text.replace(/^dataset_version: .*$/m, `dataset_version: ${dataset.hash}`),
  );
}

/**
 * Names columns {@linkcode DATASET} lacks: `protected.target_column` "defualt" (in the standards
 * too, so no protected field differs) and `protected.date_column` "days".
 */
export async function misnameColumns(root: string): Promise<void> {
  await editFile(
    root,
    "configs/project_standards.yaml",
    "target_column: default",
    "target_column: defualt",
  );
  await editFile(
    root,
    "configs/experiment.yaml",
    "  target_column: default",
    "  target_column: defualt\n  date_column: days",
  );
}

/**
 * The first line of an override log: `mlp run --override-protected` ran `field` of
 * configs/experiment.yaml at `value` instead of the reference value `old`, at `commit`.
 */
export function overrideEntry(
  field: string,
  value: string | null,
  old = "default",
  commit = "a".repeat(40),
): string {
  return formatEntry({
    ts: "2026-01-01T00:00:00.000Z",
    kind: "protected_override",
    field,
    old,
    new: value,
    operator: "ana@example.com",
    config: "configs/experiment.yaml",
    reason: "approved by the validator",
    commit,
    run_id: "b".repeat(32),
    prev: GENESIS,
  });
}

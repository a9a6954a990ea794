/**
 * `mlp data add | verify | ls`: the content-addressed dataset store from the command line.
 * Results go to stdout (the hash last, for scripts); progress and advice go to stderr.
 *
 * @module
 */
import type { Command } from "commander";
import { INTERRUPT_SIGNALS } from "../contract/lists.ts";
import { CheckError, formatError, InputError } from "../errors.ts";
import { findProjectRoot, projectPaths, projectRelative } from "../project/paths.ts";
import { readConfigText } from "../config/read.ts";
import { parseYamlStrict } from "../config/yaml_strict.ts";
import { validateDatasetVersion } from "../cas/dataset_id.ts";
import { formatBytes, terminalProgress } from "../cas/progress.ts";
import { pythonSchemaProbe } from "../cas/schema_probe.ts";
import { addDataset } from "../cas/add.ts";
import type { VerifiedDataset } from "../cas/dataset.ts";
import { type DatasetSummary, listDatasets } from "../cas/list.ts";
import { verifyDataset } from "../cas/verify.ts";
import { loadStandards } from "../config/standards.ts";
import { describeDataset } from "../data_summary/describe.ts";
import { formatSummary } from "../data_summary/format.ts";

/** Registers `mlp data` and its subcommands on the program. */
export function registerData(program: Command): void {
  const data = program
    .command("data")
    .description(
      "Content-addressed datasets in data/shadow/<sha256>/: add, verify, list, describe.",
    );

  data
    .command("add")
    .description("Copy files into a new read-only dataset and print its hash.")
    .argument("<paths...>", "table files (.parquet, .csv) and other files, or directories")
    .option("--json", "print a JSON description instead of the hash")
    .addHelpText(
      "after",
      `
A directory contributes its contents with their relative layout (not its own name). mlp writes
schema.json (column names and dtypes, read with the project's pandas) and MANIFEST.sha256; the
dataset's hash is the SHA-256 of the manifest. Adding identical files again changes nothing.
The hash is the last line of stdout.

Example:
  mlp data add ~/extracts/loans_2024q4.parquet
  mlp data add ~/extracts/loans/          # every file under the directory`,
    )
    .action(async (paths: string[], flags: { json?: boolean }) => {
      const root = findProjectRoot();
      const progress = terminalProgress("mlp: hashing");
      // Ctrl-C would otherwise end Deno at once and leave a partial copy in data/shadow/.
      const interrupt = new AbortController();
      const abort = () => interrupt.abort();
      for (const signal of INTERRUPT_SIGNALS) Deno.addSignalListener(signal, abort);
      let added;
      try {
        added = await addDataset(root, paths, {
          probeSchema: pythonSchemaProbe(root),
          onProgress: progress.update,
          signal: interrupt.signal,
        });
      } finally {
        for (const signal of INTERRUPT_SIGNALS) Deno.removeSignalListener(signal, abort);
        progress.finish();
      }
      if (flags.json) {
        console.log(JSON.stringify({ ...toJson(root, added), existed: added.existed }));
        return;
      }
      console.error(
        `mlp: ${added.existed ? "dataset already present, verified" : "added dataset"} ` +
          `${projectRelative(root, added.dir)}/ (${summary(added)})`,
      );
      console.error(
        `mlp: to use it, set \`dataset_version: ${added.hash}\` in configs/experiment.yaml`,
      );
      console.log(added.hash);
    });

  data
    .command("verify")
    .description("Re-hash a dataset and check it against its manifest.")
    .argument("[hash]", "dataset hash (default: dataset_version of configs/experiment.yaml)")
    .option("--all", "verify every dataset in data/shadow/")
    .addHelpText(
      "after",
      `
Checks that the directory holds exactly the files its MANIFEST.sha256 lists, with the listed
SHA-256s, no symlinks or special files, and that the manifest hashes to the directory's name.
Every mlp run does this before any project code runs. Exit 1 names the first file that differs.
Without mlp: cd data/shadow/<hash> && sha256sum -c MANIFEST.sha256 && sha256sum MANIFEST.sha256

Example:
  mlp data verify
  mlp data verify 3f1c0e…(64 hex characters)
  mlp data verify --all`,
    )
    .action(async (hash: string | undefined, flags: { all?: boolean }) => {
      const root = findProjectRoot();
      if (flags.all && hash !== undefined) {
        throw new InputError("Give a dataset hash or --all, not both", {
          hint: "`mlp data verify <hash>` checks one dataset, `mlp data verify --all` every one",
        });
      }
      if (flags.all) return await verifyAll(root);
      const wanted = hash === undefined
        ? await configuredDatasetVersion(root)
        : validateDatasetVersion(hash);
      console.log(`ok  ${describe(root, await verifyWithProgress(root, wanted))}`);
    });

  data
    .command("describe")
    .description(
      "Per column: type, missing share, distinct values (category values with counts); the target rate.",
    )
    .argument("[hash]", "dataset hash (default: dataset_version of configs/experiment.yaml)")
    .option("--json", "print the summary as JSON (the format of a run's mlp/data_summary.json)")
    .addHelpText(
      "after",
      `
What the risk checklist needs (missing data, class imbalance, the category values that
configs/experiment.yaml names) without loading the data yourself. The dataset is verified first;
the numbers come from the platform's own code, the same that logs every run's
mlp/data_summary.json. Categorical columns list their 20 most frequent values. The target is the
standards' protected target_column, its rate that of positive_class.

Example:
  mlp data describe
  mlp data describe 3f1c0e…(64 hex characters) --json`,
    )
    .action(async (hash: string | undefined, flags: { json?: boolean }) => {
      const root = findProjectRoot();
      const wanted = hash === undefined
        ? await configuredDatasetVersion(root)
        : validateDatasetVersion(hash);
      const dataset = await verifyWithProgress(root, wanted);
      const standards = await loadStandards(
        projectPaths(root).standards,
        projectRelative(root, projectPaths(root).standards),
      );
      const { target_column: column, positive_class: positiveClass } = standards.protected_fields;
      const summary = await describeDataset(
        root,
        dataset,
        column ? { column, positiveClass } : null,
      );
      console.log(flags.json ? JSON.stringify(summary, null, 1) : formatSummary(summary));
    });

  data
    .command("ls")
    .description("List the datasets in data/shadow/, most recently added first.")
    .option("--verify", "also re-hash every dataset (slow for large data)")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Without --verify, ls reads manifests and file sizes only: VERIFIED shows "-" unless a manifest
or a listed file is already visibly wrong.

Example:
  mlp data ls
  mlp data ls --verify --json`,
    )
    .action(async (flags: { verify?: boolean; json?: boolean }) => {
      const root = findProjectRoot();
      const listing = await listDatasets(root, { verify: flags.verify });
      if (flags.json) {
        console.log(JSON.stringify(listing));
        return;
      }
      for (const name of listing.ignored) {
        console.error(`mlp: ignoring data/shadow/${name}: not a dataset directory`);
      }
      if (listing.datasets.length === 0) {
        console.error("mlp: no datasets in data/shadow/; add one with `mlp data add PATH…`");
        return;
      }
      console.log(formatTable(listing.datasets));
      for (const dataset of listing.datasets) {
        if (dataset.problem) console.error(`mlp: ${dataset.hash}: ${dataset.problem}`);
      }
      if (listing.datasets.some((dataset) => dataset.verified === false)) Deno.exitCode = 1;
    });
}

/** Verifies every dataset, printing each outcome; fails if any failed. */
async function verifyAll(root: string): Promise<void> {
  const { datasets } = await listDatasets(root);
  if (datasets.length === 0) {
    console.error("mlp: no datasets in data/shadow/; add one with `mlp data add PATH…`");
    return;
  }
  const failed: string[] = [];
  for (const { hash } of datasets) {
    try {
      console.log(`ok  ${describe(root, await verifyWithProgress(root, hash))}`);
    } catch (error) {
      if (!(error instanceof CheckError)) throw error;
      console.log(`FAILED  ${hash}`);
      console.error(formatError(error));
      failed.push(hash);
    }
  }
  if (failed.length > 0) {
    throw new CheckError(`${failed.length} of ${datasets.length} datasets failed verification`, {
      details: failed,
      hint: "each failure is explained above; datasets are immutable, so restore the files or " +
        "add the data again as a new dataset",
    });
  }
}

async function verifyWithProgress(root: string, hash: string): Promise<VerifiedDataset> {
  const progress = terminalProgress(`mlp: verifying ${hash.slice(0, 12)}`);
  try {
    return await verifyDataset(root, hash, { onProgress: progress.update });
  } finally {
    progress.finish();
  }
}

/** The `dataset_version` of configs/experiment.yaml, checked for format. */
async function configuredDatasetVersion(root: string): Promise<string> {
  const path = projectPaths(root).experiment;
  const file = projectRelative(root, path);
  const doc = parseYamlStrict(
    await readConfigText(path, file, "pass a dataset hash, or --all"),
    file,
  );
  const position = doc.locate(["dataset_version"]);
  const value = (doc.value as Record<string, unknown> | null)?.dataset_version;
  if (value === undefined) {
    throw new InputError(`"${file}" has no dataset_version`, {
      location: { file },
      hint: "set dataset_version to a hash from `mlp data ls`, or pass a hash or --all",
    });
  }
  return validateDatasetVersion(value, { file, ...position, field: "dataset_version" });
}

function summary(dataset: VerifiedDataset): string {
  const columns = (dataset.schema as { columns?: unknown[] } | null)?.columns?.length;
  return `${dataset.files.length} files, ${formatBytes(dataset.bytes)}, ` +
    `${dataset.tables.length} table${dataset.tables.length === 1 ? "" : "s"}` +
    (columns === undefined ? "" : `, ${columns} columns`) + `, schema ${dataset.schemaHash}`;
}

function describe(root: string, dataset: VerifiedDataset): string {
  return `${dataset.hash}  ${projectRelative(root, dataset.dir)}/ (${summary(dataset)})`;
}

function toJson(root: string, dataset: VerifiedDataset) {
  return {
    hash: dataset.hash,
    schema_hash: dataset.schemaHash,
    dir: projectRelative(root, dataset.dir),
    files: dataset.files,
    tables: dataset.tables,
    bytes: dataset.bytes,
    schema: dataset.schema,
  };
}

function formatTable(datasets: readonly DatasetSummary[]): string {
  const rows = [
    ["HASH", "ADDED", "FILES", "SIZE", "COLUMNS", "VERIFIED", "TABLES"],
    ...datasets.map((d) => [
      d.hash,
      d.added ? d.added.toISOString().slice(0, 16).replace("T", " ") : "-",
      String(d.files),
      formatBytes(d.bytes),
      d.columns === null ? "-" : String(d.columns),
      d.verified === null ? "-" : d.verified ? "yes" : "NO",
      d.tables.join(", "),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")
    )
    .join("\n");
}

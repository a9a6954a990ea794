/**
 * `mlp data describe`: the data summary of a verified dataset, computed by the platform's Python
 * (`mlp_platform/data_summary.py`, the code that writes every run's `mlp/data_summary.json`) in the
 * project's locked environment, so both paths give the same numbers.
 *
 * @module
 */
import type { VerifiedDataset } from "../cas/dataset.ts";
import { type DataSummary, dataSummarySchema } from "../contract/data_summary.ts";
import { CheckError } from "../errors.ts";
import { projectPaths } from "../project/paths.ts";
import { materializePlatform } from "../run/platform.ts";
import { spawnPlatformPython } from "../run/platform_python.ts";

/** The target to give the rate of: the standards' protected target_column and positive_class. */
export interface SummaryTarget {
  column: string;
  positiveClass: string | number;
}

/**
 * Summarizes `dataset` (verified by the caller; the platform re-hashes each table as it reads it).
 *
 * @throws {CheckError} when the platform's Python fails (its stderr in the details) or prints
 *   something that is not a data summary.
 */
export async function describeDataset(
  root: string,
  dataset: VerifiedDataset,
  target: SummaryTarget | null,
): Promise<DataSummary> {
  const platformDir = await materializePlatform(projectPaths(root).state);
  const args = [dataset.dir, dataset.hash, ...dataset.tables];
  if (target) {
    args.push("--target", target.column, "--positive-class", JSON.stringify(target.positiveClass));
  }
  const child = spawnPlatformPython({
    root,
    platformDir,
    module: "data_summary",
    args,
    env: {},
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const output = await child.output();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  if (!output.success) {
    throw new CheckError(
      `Cannot describe dataset ${dataset.hash}: the platform's data summary exited with code ${output.code}`,
      {
        details: stderr === "" ? [] : stderr.split("\n"),
        hint: "check that `uv sync --locked` succeeds in the project and that " +
          `\`mlp data verify ${dataset.hash}\` passes`,
      },
    );
  }
  const text = new TextDecoder().decode(output.stdout);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const summary = dataSummarySchema.safeParse(parsed);
  if (!summary.success) {
    throw new CheckError(
      `Cannot describe dataset ${dataset.hash}: the platform's data summary printed no valid summary`,
      {
        details: summary.error.issues.slice(0, 3).map((issue) =>
          `field "${issue.path.join(".")}": ${issue.message}`
        ),
        hint: "this is a bug in mlp: report it with the output of `mlp data describe --json`",
      },
    );
  }
  return summary.data;
}

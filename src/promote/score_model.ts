/**
 * The "model scores" check of `mlp promote`: the run's sealed `model/` artifacts, copied out of
 * the store with each file's hash checked against the seal's, loaded by `mlp_platform.score_check`
 * in the trainer's sandbox and asked to score a sample of the dataset's raw rows. Loading the model
 * runs project code (its feature code), which is why it never happens in mlp's own process or in
 * the one that writes the registry.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { parseEventLine, type ScoredEvent, scoredEventSchema } from "../contract/events.ts";
import type { VerifiedDataset } from "../cas/dataset.ts";
import { CheckError } from "../errors.ts";
import { projectPaths } from "../project/paths.ts";
import { callPlatform } from "../run/platform_call.ts";
import type { RunReader } from "../tracking/run_record.ts";

/** The run's artifact directory that holds the sealed model. */
export const MODEL_ARTIFACT_DIR = "model";

/** How many raw rows the check scores. */
export const SAMPLE_ROWS = 200;

/** The sealed model's files (path below `model/` → SHA-256), from the run's artifact hashes. */
export function modelHashes(artifacts: Record<string, string>): Record<string, string> {
  const prefix = `${MODEL_ARTIFACT_DIR}/`;
  return Object.fromEntries(
    Object.entries(artifacts).filter(([path]) => path.startsWith(prefix)).map((
      [path, hash],
    ) => [path.slice(prefix.length), hash]),
  );
}

/**
 * Writes the run's model files into `dir`, each checked against `hashes` (the sealed ones).
 *
 * @throws {CheckError} when the run has no model, or a file differs from its sealed hash.
 */
export async function copyModel(
  reader: RunReader,
  runId: string,
  hashes: Record<string, string>,
  dir: string,
): Promise<void> {
  if (Object.keys(hashes).length === 0) {
    throw new CheckError(`Run ${runId} has no ${MODEL_ARTIFACT_DIR}/ artifacts to promote`, {
      hint: "promote a run that `mlp run` finished: it logs the model",
    });
  }
  for (const [path, hash] of Object.entries(hashes)) {
    const bytes = await reader.readArtifact(runId, `${MODEL_ARTIFACT_DIR}/${path}`);
    const found = bytes === null ? null : createHash("sha256").update(bytes).digest("hex");
    if (found !== hash) {
      throw new CheckError(
        `Run ${runId}'s artifact "${MODEL_ARTIFACT_DIR}/${path}" ${
          found === null ? "is missing" : "differs from its sealed hash"
        } in ${reader.location}`,
        { hint: "the store changed since the seal was checked: run `mlp verify-run` on the run" },
      );
    }
    const target = join(dir, path);
    await Deno.mkdir(dirname(target), { recursive: true });
    await Deno.writeFile(target, bytes!);
  }
}

/** The run whose model is checked, and the sealed hashes of its `model/` files. */
export interface ModelSource {
  reader: RunReader;
  runId: string;
  hashes: Record<string, string>;
}

/**
 * Copies the run's model out of the store (checked against `source.hashes`) and scores a sample of
 * `dataset`'s raw rows (less `targetColumn`) with it, in the sandbox. Everything happens in a
 * scratch directory under the project's `.mlp/`, removed afterwards.
 *
 * @throws {CheckError} when the model files differ from the seal, or the check itself could not
 *   run (no sandbox, uv failing).
 */
export async function scoreModel(
  root: string,
  source: ModelSource,
  dataset: VerifiedDataset,
  targetColumn: string,
): Promise<ScoredEvent> {
  const state = projectPaths(root).state;
  await Deno.mkdir(state, { recursive: true });
  const scratch = await Deno.makeTempDir({ dir: state, prefix: "promote-score-" });
  try {
    const modelDir = join(scratch, MODEL_ARTIFACT_DIR);
    await copyModel(source.reader, source.runId, source.hashes, modelDir);
    const result = await callPlatform(root, "score_check", [], {
      model_dir: modelDir,
      dataset_dir: dataset.dir,
      dataset_hash: dataset.hash,
      tables: dataset.tables,
      target_column: targetColumn,
      rows: SAMPLE_ROWS,
      scratch_dir: join(scratch, "work"),
    }, {});
    const event = result.lines.map((line) => parseEventLine(scoredEventSchema, line, "score_check"))
      .find((e) => e !== undefined);
    if (event === undefined) {
      throw new CheckError(
        result.code === 3
          ? "The model cannot be checked: the sandbox cannot be set up on this machine"
          : `The model check could not run (exit code ${result.code})`,
        {
          details: result.stderr.trim().split("\n").slice(-5),
          hint: result.code === 3
            ? "promote on a machine with Landlock (Linux 6.7+), as `mlp run` needs; nothing was written"
            : "check that `uv sync --locked` succeeds in the project; nothing was written",
        },
      );
    }
    return event;
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}

/**
 * `mlp card RUN_ID`: the model card of a run, from its record in the store alone
 * (docs/model-card.md). mlp finds the run (a unique prefix is enough), walks the chain of
 * baselines (the sealed tag `mlp.baseline.run_id`) and checks each run's seal as `mlp verify-run`
 * does; the platform's `model_card` reads the records through the official MLflow client and
 * writes the card. Only the store that configs/project_standards.yaml names is read.
 *
 * @module
 */
import { basename, dirname, extname, join } from "node:path";
import { OUTCOME_TAGS } from "../contract/lists.ts";
import { CheckError, InputError } from "../errors.ts";
import { notedSeal } from "../audit/override_anchor.ts";
import { gateStoreUri } from "../merge/gate_store.ts";
import { projectPaths } from "../project/paths.ts";
import { materializePlatform } from "../run/platform.ts";
import { spawnPlatformPython } from "../run/platform_python.ts";
import { openStore } from "../runs/open_store.ts";
import { checkSeal } from "../tracking/seal.ts";
import type { RunReader, RunRecord } from "../tracking/run_record.ts";
import { parseRunId, resolveRunId } from "./resolve.ts";

/** The formats of a card. */
export const CARD_FORMATS = ["md", "html"] as const;
/** A format of a card. */
export type CardFormat = (typeof CARD_FORMATS)[number];

/** One run of the chain as the platform's `model_card` takes it. */
export interface ChainStep {
  run_id: string;
  /** Why its seal does not hold; `[]` when it does. */
  seal: string[];
  /** True when the store does not hold the run (a baseline deleted for good). */
  missing: boolean;
}

/** Inputs of {@linkcode writeCard}. */
export interface CardRequest {
  root: string;
  env: Record<string, string | undefined>;
  /** The run ID or a prefix of it, as the user gave it. */
  runId: string;
  format: CardFormat;
  /** Where to write the card (absolute); none: the card is returned as text. */
  output?: string;
  /** Progress and warnings for stderr. */
  log: (line: string) => void;
}

/** What {@linkcode writeCard} did. */
export interface CardResult {
  runId: string;
  /** The card itself when no output file was given. */
  text: string | null;
  /** The files written (the card, and the Markdown card's ROC plot). */
  files: string[];
  /** Why the run's seal does not hold; `[]` when it does. */
  seal: string[];
}

/**
 * Writes the card of the run `request.runId` names.
 *
 * @throws {InputError} for a malformed or ambiguous run ID, or an output directory that does not exist
 * @throws {CheckError} for a run the store does not have, or when the store cannot be read
 */
export async function writeCard(request: CardRequest): Promise<CardResult> {
  const { root, env } = request;
  const given = parseRunId(request.runId);
  if (request.output !== undefined) await checkOutputDir(request.output);
  const uri = await gateStoreUri(root, env);
  const reader = await openStore(root, { ...env, MLFLOW_TRACKING_URI: uri }, request.log);
  let chain: ChainStep[];
  try {
    const run = await findRun(reader, given);
    chain = await baselineChain(root, reader, run);
  } finally {
    reader.close();
  }
  const runId = chain[0].run_id;
  const scratch = request.output === undefined
    ? await Deno.makeTempDir({ prefix: "mlp-card-" })
    : null;
  try {
    const output = request.output ?? join(scratch!, `card.${request.format}`);
    const image = request.format === "md" && request.output !== undefined
      ? join(dirname(output), `${basename(output, extname(output))}.roc_curve.png`)
      : null;
    await runModelCard(root, uri, {
      format: request.format,
      output,
      image,
      image_ref: image === null ? null : basename(image),
      chain,
    });
    const files = [output, ...(image !== null && await isFile(image) ? [image] : [])];
    return {
      runId,
      text: scratch === null ? null : await Deno.readTextFile(output),
      files: scratch === null ? files : [],
      seal: chain[0].seal,
    };
  } finally {
    if (scratch !== null) await Deno.remove(scratch, { recursive: true });
  }
}

async function checkOutputDir(output: string): Promise<void> {
  const dir = dirname(output);
  const info = await Deno.stat(dir).catch(() => null);
  if (info === null || !info.isDirectory) {
    throw new InputError(`--output "${output}": the directory "${dir}" does not exist`, {
      hint: "create the directory first, or write the card elsewhere",
    });
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await Deno.stat(path).catch(() => null))?.isFile ?? false;
}

/** The run a full ID or a unique prefix names (prefixes among the runs `mlp run` recorded). */
async function findRun(reader: RunReader, given: string): Promise<RunRecord> {
  if (given.length === 32) {
    const run = await reader.getRun(given);
    if (run !== null) return run;
  }
  // Every run `mlp run` records has the git_commit param; the trash is left out.
  const known = (await reader.findRunsWithParam("git_commit"))
    .filter((run) => run.lifecycleStage === "active")
    .map((run) => run.runId);
  const runId = resolveRunId(given, known, reader.location);
  const run = await reader.getRun(runId);
  if (run === null) throw new CheckError(`Run ${runId} left the store while it was read`);
  return run;
}

/**
 * The run, then its baseline, then the baseline's baseline…, each with its seal checked; a
 * baseline the store does not hold ends the chain (marked missing).
 */
async function baselineChain(
  root: string,
  reader: RunReader,
  run: RunRecord,
): Promise<ChainStep[]> {
  const chain: ChainStep[] = [];
  const seen = new Set<string>();
  let current: RunRecord | null = run;
  while (current !== null) {
    seen.add(current.runId);
    const seal = await checkSeal(reader, current, await notedSeal(root, current));
    chain.push({ run_id: current.runId, seal, missing: false });
    const baseline: string | undefined = current.tags[OUTCOME_TAGS[2]];
    if (baseline === undefined || seen.has(baseline)) break;
    current = await reader.getRun(baseline);
    if (current === null) chain.push({ run_id: baseline, seal: [], missing: true });
  }
  return chain;
}

/** Runs `mlp_platform.model_card` with `input` as JSON on its stdin. */
async function runModelCard(root: string, uri: string, input: unknown): Promise<void> {
  const child = spawnPlatformPython({
    root,
    platformDir: await materializePlatform(projectPaths(root).state),
    module: "model_card",
    args: [],
    env: { MLFLOW_TRACKING_URI: uri },
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  });
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
  await writer.close();
  const [stderr, status] = await Promise.all([new Response(child.stderr).text(), child.status]);
  if (!status.success) {
    throw new CheckError(
      `Cannot write the model card: the platform's model_card exited with code ${status.code}`,
      {
        details: stderr.trim().split("\n").slice(-5),
        hint: "check that `uv sync --locked` succeeds in the project and that the store and the " +
          "run's artifacts can be read from here",
      },
    );
  }
}

/**
 * The budget check of `mlp run` against the store: the ceiling from the standards (working and
 * committed), the spend from the runs the store holds (src/cost/budget.ts has the rules).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { parseStandards, type Standards } from "../config/standards.ts";
import { sqliteFile } from "../run/store_file.ts";
import { openRunReader } from "../tracking/reader.ts";
import { budgetRefusal, effectiveCeiling } from "./budget.ts";
import { readSpend, type SpendRecord } from "./spend.ts";

/** Inputs of {@linkcode checkAgentBudget}. */
export interface BudgetCheckInputs {
  root: string;
  env: Record<string, string | undefined>;
  trackingUri: string;
  /** The standards on disk, and their text at HEAD (`null`: no commit yet). */
  working: Standards;
  committedText: string | null;
  /** The standards' project-relative path. */
  file: string;
  client: string;
  project: string;
  now: number;
}

/**
 * Refuses an agent's run when the project's recorded spend this ISO week exceeds the ceiling.
 * A store that does not exist yet holds no spend.
 *
 * @throws {CheckError} the refusal (exit 1), or when the store cannot be read.
 * @throws {InputError} when the committed standards are invalid.
 */
export async function checkAgentBudget(inputs: BudgetCheckInputs): Promise<void> {
  const committed = inputs.committedText === null
    ? null
    : parseStandards(inputs.committedText, `HEAD:${inputs.file}`);
  const ceiling = effectiveCeiling(inputs.working, committed);
  if (ceiling === null) return;
  const file = sqliteFile(inputs.root, inputs.trackingUri);
  if (file !== null && !existsSync(file)) return;
  const reader = openRunReader(inputs.trackingUri, inputs.root, inputs.env);
  let records: SpendRecord[];
  try {
    records = await readSpend(reader);
  } finally {
    reader.close();
  }
  const refusal = budgetRefusal(records, { ...inputs, ceiling });
  if (refusal) throw refusal;
}

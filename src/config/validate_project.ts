/**
 * `mlp validate`'s checks: what `mlp run` refuses before anything runs, and what the pre-commit
 * hook refuses on commit, judged on the work tree: the configs' validity, the protected fields
 * (with the override log's approvals, as the hook takes them) and the dataset's columns.
 *
 * @module
 */
import {
  appendedFrom,
  OVERRIDE_LOG,
  type OverrideEntry,
  verifyOverrideLog,
} from "../audit/override_log.ts";
import { CheckError } from "../errors.ts";
import { projectPaths } from "../project/paths.ts";
import { checkDatasetColumns } from "./check_dataset_columns.ts";
import { type LoadOptions, loadRunConfigs, type RunConfigs } from "./load.ts";
import { committedReference, readCommitted } from "./committed.ts";
import {
  formatMismatches,
  NEW_REFERENCE,
  reviewProtectedFields,
  uncommittedNote,
} from "./protected.ts";

/** A project whose configs passed every check. */
export interface ValidatedProject {
  /** The project-relative paths of the configs checked. */
  files: RunConfigs["files"];
  /** Protected changes that the override log approves: the hook accepts them, `mlp run` needs the flag. */
  notes: string[];
}

/**
 * Checks the configs of the project at `root` as `mlp run` and the pre-commit hook would.
 *
 * @throws {InputError} for an invalid config, or a protected column setting the dataset lacks.
 * @throws {CheckError} for a protected field that differs from the standards without an
 *   override log entry that approves it, or a dataset that cannot be found or read.
 */
export async function validateProject(
  root: string,
  options: LoadOptions,
): Promise<ValidatedProject> {
  const configs = await loadRunConfigs(root, options);
  const notes = await reviewProtected(root, configs);
  await checkDatasetColumns(root, configs);
  return { files: configs.files, notes };
}

/**
 * Refuses the protected changes that the hook would refuse on commit; returns a note for each
 * one the override log approves. Reference values are those of the standards at HEAD, and an
 * entry approves a change made on top of HEAD (see `reviewProtectedFields`). A log whose chain is
 * broken approves nothing.
 */
async function reviewProtected(root: string, configs: RunConfigs): Promise<string[]> {
  const file = configs.files.experiment;
  const committed = await readCommitted(root);
  const reference = await committedReference(committed, configs.standards, configs.files.standards);
  const text = await readLog(root);
  const log = verifyOverrideLog(text, OVERRIDE_LOG);
  const entries: OverrideEntry[] = log.problems.length === 0 ? log.entries : [];
  const review = reviewProtectedFields(configs.texts.experiment, file, reference, {
    head: committed.head,
    committedTexts: [await committed.text(file)],
    entries,
    appendedFrom: appendedFrom((await committed.text(OVERRIDE_LOG)) ?? "", text, OVERRIDE_LOG),
  });
  if (review.refused.length > 0) {
    const lines = formatMismatches(file, review.refused, reference.label);
    throw new CheckError(`Protected fields in "${file}" differ from ${reference.label}`, {
      details: [
        ...lines.map((line, i) => line + uncommittedNote(review.refused[i], reference)),
        ...review.unusable.map(({ why }) => why),
        ...log.problems.map((problem) =>
          `${OVERRIDE_LOG}:${problem.line}: ${problem.message}: its entries approve no change ` +
          "until the log is restored (`mlp log verify`)"
        ),
      ],
      hint: `restore the values from ${reference.label}; a human-approved change runs ` +
        'with `mlp run --override-protected --reason "<why>"`, which records it in ' +
        `${OVERRIDE_LOG}: commit the log with the config` +
        (committed.head === null ? "" : `; ${NEW_REFERENCE}`),
    });
  }
  return review.approved.map(({ mismatch, entry }) =>
    `${formatMismatches(file, [mismatch], reference.label)[0]}: approved by ${OVERRIDE_LOG}:${
      entry + 1
    } ` +
    `(run ${entries[entry].run_id}), so the pre-commit hook accepts it when the log is ` +
    'committed with the config; `mlp run` runs it only with --override-protected --reason "<why>"'
  );
}

/** The override log's text; a project without one has logged nothing. */
async function readLog(root: string): Promise<string> {
  try {
    return await Deno.readTextFile(projectPaths(root).overrideLog);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  }
}

/**
 * `mlp hook pre-commit`: every governance check on the staged content (plan §6.3-§6.5, §10):
 * protected fields and their reference values in the standards, config validation, the training
 * guard, the append-only override log, immutable datasets, no data files in src/ and configs/,
 * no production data in code, scaffold files changed only by `copier update`, and no conflict
 * markers in any staged file. (A
 * merge's proof is checked by the pre-merge-commit and commit-msg hooks: see pre_merge_commit.ts.)
 *
 * @module
 */
import {
  appendedEntries,
  appendedFrom,
  checkLogOnlyGrows,
  OVERRIDE_LOG,
  verifyOverrideLog,
} from "../audit/override_log.ts";
import { signatureFindings } from "../audit/signature_findings.ts";
import { datasetHash, MANIFEST_NAME, parseManifest } from "../cas/manifest.ts";
import { isDatasetHash } from "../cas/dataset_id.ts";
import { parseSchema, SCHEMA_NAME } from "../cas/dataset.ts";
import { refuseMissingColumns, schemaColumns } from "../config/dataset_columns.ts";
import { type ExperimentConfig, parseExperiment } from "../config/experiment.ts";
import {
  type ApprovalContext,
  describeMismatch,
  type ProtectedReference,
  protectedReference,
  reviewProtectedFields,
  showProtected,
} from "../config/protected.ts";
import { parseReasoning } from "../config/reasoning.ts";
import { show } from "../config/problems.ts";
import { parseStandards, type Standards } from "../config/standards.ts";
import { parseYamlStrict } from "../config/yaml_strict.ts";
import { MlpError } from "../errors.ts";
import { gitOutput } from "../fingerprint/git.ts";
import { createHash } from "node:crypto";
import type { FileProblem } from "../guard/check_file.ts";
import { productionReferences } from "../guard/production_paths.ts";
import { isGuardedPath } from "../guard/python_files.ts";
import { REASONING_PATH, STANDARDS_PATH } from "../project/paths.ts";
import { checkCodeFolders, dataExtension, inCodeFolder, maxFileBytes } from "./code_folders.ts";
import { indexPaths, readObjects, type StagedChange, stagedChanges } from "./staged.ts";
import { guardIndex } from "./staged_guard.ts";
import { scaffoldChanges } from "./scaffold_change.ts";
import { conflictProblem } from "../drift/conflict_markers.ts";
import { ANSWERS_FILE } from "../drift/scaffold.ts";
import {
  approversChange,
  type ReferenceChange,
  referenceChanges,
  unapprovedChanges,
} from "./standards_change.ts";

/** One reason to refuse the commit. */
export type CommitFinding = FileProblem;

/** Options of {@linkcode preCommit}. */
export interface PreCommitOptions {
  /** The operator is an AI agent (`isAgentOperator`): reasoning.yaml needs expected_effect. */
  agent: boolean;
}

/** An experiment config of the commit that passed validation. */
interface ValidConfig {
  file: string;
  text: string;
  config: ExperimentConfig;
}

/** A YAML file under configs/, in any folder: `mlp run --config` takes any of them. */
const CONFIG_YAML = /^configs\/.+\.ya?ml$/;
/** A reasoning file (`mlp run --reasoning`): configs/reasoning.yaml, or one named reasoning*. */
const REASONING_FILE = /^configs\/(?:.+\/)?reasoning[^/]*\.ya?ml$/;
const SHADOW = "data/shadow/";

const decoder = new TextDecoder();

/**
 * Runs every pre-commit check on the index of the repository at `root` and returns what would
 * make the commit refused (empty: the commit may proceed).
 */
export async function preCommit(
  root: string,
  options: PreCommitOptions = { agent: false },
): Promise<CommitFinding[]> {
  const changes = await stagedChanges(root);
  const changed = (path: string) => changes.some((c) => c.path === path);
  const { configs, reasonings } = classifyConfigs(await indexPaths(root, ["configs/"]));
  const guarded = changes.filter((c) => c.status !== "D" && isGuardedPath(c.path));
  const code = changes.filter((c) => c.status !== "D" && inCodeFolder(c.path));
  const head = await headCommit(root);
  const blobs = await readObjects(root, [
    `:${STANDARDS_PATH}`,
    `HEAD:${STANDARDS_PATH}`,
    `:${OVERRIDE_LOG}`,
    `HEAD:${OVERRIDE_LOG}`,
    ...reasonings.map((p) => `:${p}`),
    ...configs.flatMap((p) => [`:${p}`, `HEAD:${p}`, `MERGE_HEAD:${p}`]),
    ...guarded.map((c) => `:${c.path}`),
    ...code.map((c) => `:${c.path}`),
    ...changes.filter((c) => c.path.startsWith(SHADOW)).map((c) => `:${c.path}`),
    `:${ANSWERS_FILE}`,
    `HEAD:${ANSWERS_FILE}`,
    // Every staged file is read for conflict markers.
    ...changes.filter((c) => c.status !== "D").map((c) => `:${c.path}`),
  ]);
  const text = (spec: string) => {
    const bytes = blobs.get(spec);
    return bytes ? decoder.decode(bytes) : null;
  };

  const findings: CommitFinding[] = [];
  let parsedStandards: Standards | undefined;
  const standardsDeleted = changes.some((c) => c.path === STANDARDS_PATH && c.status === "D");
  if (standardsDeleted) {
    findings.push({
      file: STANDARDS_PATH,
      message: "the standards file is deleted",
      hint: "every config is checked against it: restore it " +
        `(\`git checkout HEAD -- ${STANDARDS_PATH}\`) and stage it`,
    });
  } else {
    if (changed(STANDARDS_PATH)) {
      findings.push(...checkStandardsChange(text, head));
      if (options.agent) findings.push(...checkApproversChange(text));
    }
    const toValidate = changed(STANDARDS_PATH) ? configs : configs.filter(changed);
    const reasoningToCheck = changed(STANDARDS_PATH)
      ? reasonings
      : reasonings.filter((p) => changed(p));
    if (configs.length > 0 || reasoningToCheck.length > 0) {
      const standards = stagedStandards(text);
      if (Array.isArray(standards)) {
        findings.push(...standards);
      } else {
        parsedStandards = standards;
        const valid: ValidConfig[] = [];
        const reference = protectedReference(standards, committedStandards(text), STANDARDS_PATH);
        findings.push(
          ...checkConfigs(configs, text, toValidate, standards, reference, head, valid),
        );
        findings.push(...await checkDatasetColumns(root, valid));
        for (const file of reasoningToCheck) {
          findings.push(...checkReasoning(file, changes, text, standards, options));
        }
      }
    }
  }
  findings.push(...await guardIndex(root, changes, blobs));
  if (changed(OVERRIDE_LOG)) {
    const logProblems = checkOverrideLog(changes, text);
    findings.push(...logProblems);
    if (logProblems.length === 0) findings.push(...await checkAppendedSignatures(root, text));
  }
  findings.push(...await checkShadow(root, changes, blobs));
  let limit: number | undefined;
  findings.push(...checkCodeFolders(
    changes,
    (path) => blobs.get(`:${path}`)?.length ?? 0,
    () =>
      limit ??= maxFileBytes(
        text(`:${STANDARDS_PATH}`),
        text(`HEAD:${STANDARDS_PATH}`),
        parsedStandards,
      ),
  ));
  for (const change of code) {
    if (!change.path.startsWith("src/") || dataExtension(change.path) !== undefined) continue;
    findings.push(...productionReferences(change.path, text(`:${change.path}`) ?? ""));
  }
  findings.push(...await scaffoldChanges(root, changes, blobs));
  for (const change of changes) {
    const bytes = change.status === "D" ? null : blobs.get(`:${change.path}`);
    const conflict = bytes ? conflictProblem(change.path, bytes) : null;
    if (conflict !== null) findings.push(conflict);
  }
  return findings;
}

/**
 * The configs of the index under configs/ that `mlp run` can take: every YAML file but the
 * standards is an experiment config (`--config` accepts any path), except reasoning files
 * (`--reasoning`), which are checked as such. configs/reasoning.yaml is listed even when the index
 * lacks it, since `mlp run` reads it by default and its deletion is refused.
 */
function classifyConfigs(paths: string[]): { configs: string[]; reasonings: string[] } {
  const yaml = paths.filter((p) => CONFIG_YAML.test(p) && p !== STANDARDS_PATH);
  const reasonings = yaml.filter((p) => REASONING_FILE.test(p));
  return {
    configs: yaml.filter((p) => !REASONING_FILE.test(p)),
    reasonings: reasonings.includes(REASONING_PATH) ? reasonings : [REASONING_PATH, ...reasonings],
  };
}

/** Full SHA of HEAD; null before the first commit. */
async function headCommit(root: string): Promise<string | null> {
  const output = await gitOutput(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]);
  return output.code === 0 ? decoder.decode(output.stdout).trim() : null;
}

/**
 * The standards at HEAD, whose protected fields are the reference values of every config: a
 * staged edit of the standards moves none (it needs its own approval, see
 * {@linkcode checkStandardsChange}). Without standards at HEAD (a first commit, or the first with
 * standards), or with committed standards mlp cannot read, the staged ones are the reference: the
 * commit establishes them.
 */
function committedStandards(text: (spec: string) => string | null): Standards | null {
  const committed = text(`HEAD:${STANDARDS_PATH}`);
  if (committed === null) return null;
  try {
    return parseStandards(committed, STANDARDS_PATH);
  } catch {
    return null;
  }
}

/** The staged standards, or why the configs cannot be checked against them. */
function stagedStandards(text: (spec: string) => string | null): Standards | CommitFinding[] {
  const standardsText = text(`:${STANDARDS_PATH}`);
  if (standardsText === null) {
    return [{
      file: STANDARDS_PATH,
      message: "the standards file is not in the commit, so experiment configs cannot be checked",
      hint: `restore ${STANDARDS_PATH} (\`git checkout HEAD -- ${STANDARDS_PATH}\`) and stage it`,
    }];
  }
  try {
    return parseStandards(standardsText, STANDARDS_PATH);
  } catch (error) {
    return fromError(error, STANDARDS_PATH, "fix the standards file and stage it again");
  }
}

/**
 * Protected fields of every experiment config against the reference values at HEAD, and
 * validation of the changed ones against the staged standards; those that pass validation are
 * added to `valid`.
 */
function checkConfigs(
  configs: string[],
  text: (spec: string) => string | null,
  toValidate: string[],
  standards: Standards,
  reference: ProtectedReference,
  head: string | null,
  valid: ValidConfig[],
): CommitFinding[] {
  const logText = text(`:${OVERRIDE_LOG}`) ?? "";
  const context: Omit<ApprovalContext, "committedTexts"> = {
    head,
    entries: verifyOverrideLog(logText, OVERRIDE_LOG).entries,
    appendedFrom: appendedFrom(text(`HEAD:${OVERRIDE_LOG}`) ?? "", logText, OVERRIDE_LOG),
  };
  const findings: CommitFinding[] = [];
  for (const file of configs) {
    const configText = text(`:${file}`) ?? "";
    try {
      const review = reviewProtectedFields(configText, file, reference, {
        ...context,
        committedTexts: [text(`HEAD:${file}`), text(`MERGE_HEAD:${file}`)],
      });
      for (const mismatch of review.refused) {
        const unusable = review.unusable.filter((u) => u.field === mismatch.field)
          .map(({ why }) => `${why}; `).join("");
        findings.push({
          file,
          line: mismatch.line,
          message: describeMismatch(mismatch, reference.label),
          hint: `${unusable}restore ${showProtected(mismatch.expected)}; a human-approved ` +
            'change is made with `mlp run --override-protected --reason "<why>"` on this HEAD, ' +
            `which records it in ${OVERRIDE_LOG}: stage the log with the config`,
        });
      }
      if (toValidate.includes(file)) {
        valid.push({
          file,
          text: configText,
          config: parseExperiment(configText, file, standards),
        });
      }
    } catch (error) {
      findings.push(
        ...fromError(error, file, "fix the config (`mlp validate` checks it) and stage it again"),
      );
    }
  }
  return findings;
}

/**
 * The protected column settings of each valid config against the columns of the dataset it
 * names, as the commit holds it: datasets under data/shadow/ are committed, so the schema comes
 * from the index, and a dataset the commit would not hold refuses the commit (fail closed).
 */
async function checkDatasetColumns(root: string, valid: ValidConfig[]): Promise<CommitFinding[]> {
  const schemaPath = (config: ValidConfig) =>
    `${SHADOW}${config.config.dataset_version}/${SCHEMA_NAME}`;
  const schemas = await readObjects(root, valid.map((config) => `:${schemaPath(config)}`));
  const findings: CommitFinding[] = [];
  for (const config of valid) {
    const file = schemaPath(config);
    const bytes = schemas.get(`:${file}`);
    const hash = config.config.dataset_version;
    if (!bytes) {
      findings.push({
        file: config.file,
        line: parseYamlStrict(config.text, config.file).locate(["dataset_version"])?.line,
        message: `dataset_version "${hash}" names a dataset that is not in the commit: ${file} ` +
          "is not staged",
        hint: "datasets under data/shadow/ are committed with the configs that name them: " +
          `stage it (\`git add ${SHADOW}${hash}\`), or set dataset_version to a committed ` +
          "dataset (`mlp data ls` lists them)",
      });
      continue;
    }
    try {
      refuseMissingColumns(
        config.text,
        config.file,
        schemaColumns(parseSchema(bytes, file), file),
        file,
      );
    } catch (error) {
      findings.push(...fromError(error, config.file, "fix the config and stage it again"));
    }
  }
  return findings;
}

/**
 * A reasoning file against the staged standards, when the commit changes either. `mlp run` reads
 * configs/reasoning.yaml by default, so its deletion is refused; another reasoning file may go. A
 * project that never had one is left alone.
 */
function checkReasoning(
  file: string,
  changes: StagedChange[],
  text: (spec: string) => string | null,
  standards: Standards,
  options: PreCommitOptions,
): CommitFinding[] {
  const reasoningText = text(`:${file}`);
  if (reasoningText === null) {
    if (file !== REASONING_PATH) return [];
    if (!changes.some((c) => c.path === REASONING_PATH && c.status === "D")) return [];
    return [{
      file: REASONING_PATH,
      message: "the reasoning file is deleted, and `mlp run` reads it",
      hint: `restore it (\`git checkout HEAD -- ${REASONING_PATH}\`) and stage it: every run ` +
        "records why it was made",
    }];
  }
  try {
    parseReasoning(reasoningText, file, standards, options);
    return [];
  } catch (error) {
    return fromError(error, file, "fix the reasoning file and stage it again");
  }
}

/**
 * An AI agent may not change `approvers`: who signs approvals is a person's decision, reviewed
 * like the reference values (docs/governance.md, "Signed approvals").
 */
function checkApproversChange(text: (spec: string) => string | null): CommitFinding[] {
  let change: { line: number | undefined } | null;
  try {
    change = approversChange(
      text(`HEAD:${STANDARDS_PATH}`),
      text(`:${STANDARDS_PATH}`) ?? "",
      STANDARDS_PATH,
    );
  } catch (error) {
    return fromError(error, STANDARDS_PATH, "fix the standards file and stage it again");
  }
  if (change === null) return [];
  return [{
    file: STANDARDS_PATH,
    line: change.line,
    message: "an AI agent cannot change approvers: they decide whose SSH signature approves " +
      "an override or a promotion",
    hint: `restore the section (\`git checkout HEAD -- ${STANDARDS_PATH}\`, then redo the ` +
      "other edits) and stage it; a person enrolls or removes an approver, through review",
  }];
}

/**
 * A reference value under `protected_fields` changes only together with the override it makes
 * permanent: each added, changed or removed field needs an entry appended to the override log in
 * the same commit, for that field and the new value, made at HEAD. (A first commit, with no
 * standards at HEAD, changes nothing.)
 */
function checkStandardsChange(
  text: (spec: string) => string | null,
  head: string | null,
): CommitFinding[] {
  let changes: ReferenceChange[];
  try {
    changes = referenceChanges(
      text(`HEAD:${STANDARDS_PATH}`),
      text(`:${STANDARDS_PATH}`) ?? "",
      STANDARDS_PATH,
    );
  } catch (error) {
    return fromError(error, STANDARDS_PATH, "fix the standards file and stage it again");
  }
  const added = appendedEntries(
    text(`HEAD:${OVERRIDE_LOG}`) ?? "",
    text(`:${OVERRIDE_LOG}`) ?? "",
    OVERRIDE_LOG,
  );
  return unapprovedChanges(changes, added, head).map((change) => {
    const field = `protected.${change.name}`;
    const [old, staged] = [show(change.old), show(change.new)];
    const what = change.old === undefined
      ? `is added with ${staged}`
      : change.new === undefined
      ? `is removed (it was ${old})`
      : `changes from ${old} to ${staged}`;
    const before = change.old === undefined
      ? `with "${change.name}" in ${STANDARDS_PATH} at any value but ${staged}`
      : `with ${STANDARDS_PATH} still at ${old}`;
    const config = change.new === undefined
      ? `remove "${field}" from the experiment config`
      : `set "${field}" to ${staged} in the experiment config`;
    const approval = change.new === undefined
      ? `removing "${field}"`
      : `of "${field}" to ${staged}`;
    return {
      file: STANDARDS_PATH,
      line: change.line,
      message: `the reference value of protected field "${change.name}" ${what}, but this ` +
        `commit adds no override ${approval} in ${OVERRIDE_LOG}`,
      hint: "reference values change only after a human-approved run of the new value: " +
        `${before}, ${config} and run \`mlp run --override-protected --reason "<why>"\` ` +
        `(it logs the override); then update ${STANDARDS_PATH} and commit the config, the ` +
        "standards and the log together",
    };
  });
}

/** The log may only grow, and its hash chain must hold. */
function checkOverrideLog(
  changes: StagedChange[],
  text: (spec: string) => string | null,
): CommitFinding[] {
  const hint = `the log is append-only and written by mlp: restore it (\`git checkout HEAD -- ` +
    `${OVERRIDE_LOG}\`); new entries come only from \`mlp run --override-protected\``;
  if (changes.some((c) => c.path === OVERRIDE_LOG && c.status === "D")) {
    return [{ file: OVERRIDE_LOG, message: "the override log is deleted", hint }];
  }
  return checkLogOnlyGrows(
    text(`HEAD:${OVERRIDE_LOG}`) ?? "",
    text(`:${OVERRIDE_LOG}`) ?? "",
    OVERRIDE_LOG,
  )
    .map((problem) => ({ file: OVERRIDE_LOG, line: problem.line, message: problem.message, hint }));
}

/**
 * Each approval the commit appends to the log must verify (src/audit/signature_findings.ts): an
 * approval forged or edited in the work tree cannot be committed, nor approve a protected change.
 */
async function checkAppendedSignatures(
  root: string,
  text: (spec: string) => string | null,
): Promise<CommitFinding[]> {
  const staged = text(`:${OVERRIDE_LOG}`) ?? "";
  const from = appendedFrom(text(`HEAD:${OVERRIDE_LOG}`) ?? "", staged, OVERRIDE_LOG);
  const findings = await signatureFindings(root, staged, { after: from });
  return findings.filter((f) => f.status === "invalid").map((f) => ({
    file: OVERRIDE_LOG,
    line: f.line,
    message: `${f.kind} by "${f.identity}": ${f.message}`,
    hint: `an approval is written and signed by mlp: restore the log (\`git checkout HEAD -- ` +
      `${OVERRIDE_LOG}\`) and have an approver run the command with their key (--sign-key)`,
  }));
}

/**
 * Datasets are immutable: nothing under data/shadow/ may change or disappear. The one allowed
 * change is adding a whole new `data/shadow/<hash>/` whose manifest hashes to its name and lists
 * exactly the files staged in it, with their hashes.
 */
async function checkShadow(
  root: string,
  changes: StagedChange[],
  blobs: Map<string, Uint8Array | null>,
): Promise<CommitFinding[]> {
  const hint = "datasets are immutable: restore it (`git checkout HEAD -- <path>`) and add " +
    "changed data as a new dataset with `mlp data add`";
  const findings: CommitFinding[] = [];
  const added = new Map<string, StagedChange[]>();
  for (const change of changes.filter((c) => c.path.startsWith(SHADOW))) {
    const rest = change.path.slice(SHADOW.length);
    const slash = rest.indexOf("/");
    if (change.status !== "A") {
      const what = change.status === "D" ? "deleted" : "changed";
      findings.push({ file: change.path, message: `a dataset file is ${what}`, hint });
    } else if (slash < 0) {
      if (rest !== ".gitkeep") {
        findings.push({
          file: change.path,
          message: `a file is added to ${SHADOW} outside any dataset directory`,
          hint: "datasets live in data/shadow/<hash>/, created by `mlp data add`",
        });
      }
    } else {
      const dir = rest.slice(0, slash);
      added.set(dir, [...(added.get(dir) ?? []), change]);
    }
  }
  if (added.size === 0) return findings;

  const existing = await readObjects(root, [...added.keys()].map((dir) => `HEAD:${SHADOW}${dir}`));
  for (const [dir, files] of added) {
    const base = `${SHADOW}${dir}`;
    if (existing.get(`HEAD:${base}`)) {
      for (const file of files) {
        findings.push({ file: file.path, message: `a file is added to dataset ${dir}`, hint });
      }
      continue;
    }
    const newDatasetHint = "add datasets only with `mlp data add <file>`, which names the " +
      "directory after the SHA-256 of its manifest, and stage the whole directory";
    if (!isDatasetHash(dir)) {
      findings.push({
        file: `${base}/`,
        message: `"${dir}" is not a dataset hash (64 lowercase hex characters)`,
        hint: newDatasetHint,
      });
      continue;
    }
    const manifestPath = `${base}/${MANIFEST_NAME}`;
    const manifest = blobs.get(`:${manifestPath}`);
    if (!manifest) {
      findings.push({
        file: manifestPath,
        message: "the new dataset has no manifest",
        hint: newDatasetHint,
      });
      continue;
    }
    if (datasetHash(manifest) !== dir) {
      findings.push({
        file: manifestPath,
        message: `the manifest hashes to "${datasetHash(manifest)}", not to its directory name`,
        hint: newDatasetHint,
      });
      continue;
    }
    let entries;
    try {
      entries = parseManifest(decoder.decode(manifest), manifestPath);
    } catch (error) {
      findings.push(...fromError(error, manifestPath, newDatasetHint));
      continue;
    }
    const staged = new Map(files.map((f) => [f.path.slice(base.length + 1), f.path]));
    staged.delete(MANIFEST_NAME);
    for (const [i, entry] of entries.entries()) {
      const path = staged.get(entry.path);
      const bytes = path === undefined ? undefined : blobs.get(`:${path}`);
      if (!bytes) {
        findings.push({
          file: manifestPath,
          line: i + 1,
          message: `the manifest lists "${entry.path}", which is not staged`,
          hint: `stage the whole dataset: \`git add ${base}\``,
        });
      } else if (sha256(bytes) !== entry.sha256) {
        findings.push({
          file: `${base}/${entry.path}`,
          message: `the staged file's SHA-256 is "${
            sha256(bytes)
          }", the manifest says "${entry.sha256}"`,
          hint: newDatasetHint,
        });
      }
      staged.delete(entry.path);
    }
    for (const path of staged.values()) {
      findings.push({
        file: path,
        message: "the file is not in its dataset's manifest",
        hint: newDatasetHint,
      });
    }
  }
  return findings;
}

/**
 * Findings for an mlp error about `file` (or the file its location names, such as a dataset's
 * schema): its details when it has several, else itself.
 */
function fromError(error: unknown, file: string, hint: string): CommitFinding[] {
  if (!(error instanceof MlpError)) throw error;
  if (error.details.length === 0) {
    const { file: where = file, line } = error.location ?? {};
    return [{ file: where, line, message: error.message, hint: error.hint ?? hint }];
  }
  return error.details.map((detail) => {
    const located = /^(.+?):(\d+)(?::\d+)?: (.*)$/.exec(detail);
    return located && located[1] === file
      ? { file, line: Number(located[2]), message: located[3], hint: error.hint ?? hint }
      : { file, message: detail, hint: error.hint ?? hint };
  });
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Template drift: every scaffold file of a project (scaffold.ts) compared with what mlp's
 * template generates at the version the project records, rendered by the real Copier with the
 * project's own answers. The comparison is of the work tree, so an uncommitted edit is drift
 * too; the pre-commit hook keeps such edits from being committed (scaffold_change.ts).
 *
 * @module
 */
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import { gitOutput } from "../fingerprint/git.ts";
import { type CopierAnswers, parseAnswers } from "./answers.ts";
import { listFiles } from "./files.ts";
import { ANSWERS_FILE, bytewise, isScaffoldPath, TEMPLATE_ONLY_FOLDERS } from "./scaffold.ts";

/** How a scaffold file differs from the template's. */
export type DriftKind = "changed" | "missing" | "extra";

/** One scaffold file that is not the template's. */
export interface DriftFinding {
  /** Project-relative path. */
  file: string;
  kind: DriftKind;
  /**
   * Unified diff from the template's file (`a/`) to the project's (`b/`), `/dev/null` for the
   * side that has none; `git apply -R` of it restores the template's file.
   */
  diff: string;
  /** How to bring the file back to the template's. */
  fix: string;
}

/** The result of {@linkcode scaffoldDrift}. */
export interface DriftReport {
  /** The template source and version the project records. */
  template: { src: string; commit: string };
  /** Every drifted scaffold file, sorted by path; empty when the scaffold is the template's. */
  findings: DriftFinding[];
}

/**
 * Renders the template at the version `.copier-answers.yml` records, with its answers, and
 * compares every scaffold file of the project at `root` with it.
 *
 * @throws {CheckError} when the project has no answers file, or Copier is missing or cannot
 *   render that source at that version (fail closed: no drift report without the template).
 * @throws {InputError} when the answers file is not valid.
 */
export async function scaffoldDrift(root: string): Promise<DriftReport> {
  const answers = parseAnswers(await readAnswersFile(root));
  const scratch = await Deno.makeTempDir({ prefix: "mlp-drift-" });
  try {
    const rendered = join(scratch, "template");
    await renderTemplate(root, answers, scratch, rendered);
    const templateFiles = (await listFiles(rendered))
      .filter((path) => isScaffoldPath(path) && path !== ANSWERS_FILE);
    const expected = new Set(templateFiles);
    const extras: string[] = [];
    for (const folder of TEMPLATE_ONLY_FOLDERS) {
      for (const name of await listFiles(join(root, folder))) {
        if (!expected.has(`${folder}${name}`)) extras.push(`${folder}${name}`);
      }
    }
    const base = await lastAnswersCommit(root);
    const findings: DriftFinding[] = [];
    for (const file of [...templateFiles, ...extras].sort(bytewise)) {
      const theirs = expected.has(file) ? await readEntry(join(rendered, file)) : null;
      const ours = await readEntry(join(root, file));
      if (sameEntry(theirs, ours)) continue;
      const kind: DriftKind = ours === null ? "missing" : theirs === null ? "extra" : "changed";
      const diff = await unifiedDiff(
        scratch,
        file,
        theirs && join(rendered, file),
        ours && join(root, file),
      );
      findings.push({ file, kind, diff, fix: await fixOf(root, file, kind, theirs, base) });
    }
    return { template: { src: answers.src, commit: answers.commit }, findings };
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}

async function readAnswersFile(root: string): Promise<string> {
  try {
    return await Deno.readTextFile(join(root, ANSWERS_FILE));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new CheckError(
      `The project has no ${ANSWERS_FILE}, so its scaffold cannot be compared with the template`,
      {
        hint: "projects are generated with `copier copy` from mlp's template, which writes it: " +
          `restore it from git (\`git checkout HEAD -- ${ANSWERS_FILE}\`)`,
      },
    );
  }
}

/**
 * `copier copy` of the recorded source at the recorded version into `dest`, with the project's
 * answers and no questions. Copier runs in the project root, so a relative `_src_path` means
 * what it meant to `copier update` run there.
 */
async function renderTemplate(
  root: string,
  answers: CopierAnswers,
  scratch: string,
  dest: string,
): Promise<void> {
  const dataFile = join(scratch, "answers.json");
  // JSON is YAML, and keeps an answer's type (positive_class 1 stays an integer).
  await Deno.writeTextFile(dataFile, JSON.stringify(answers.data));
  const args = [
    "copy",
    "--quiet",
    "--trust",
    "--defaults",
    "--overwrite",
    "--vcs-ref",
    answers.commit,
    "--data-file",
    dataFile,
    answers.src,
    dest,
  ];
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("copier", {
      args,
      cwd: root,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new CheckError("Copier is not on PATH, so the template cannot be rendered", {
      hint: "install Copier 9 (`uv tool install copier`), then run `mlp drift` again",
    });
  }
  if (output.success) return;
  const stderr = new TextDecoder().decode(output.stderr).trim().split("\n")
    .filter((line) => line.trim() !== "");
  throw new CheckError(
    `Copier could not render the template "${answers.src}" at version "${answers.commit}" ` +
      `(${ANSWERS_FILE}: _src_path, _commit)`,
    {
      details: stderr.slice(-5),
      hint: "the source must be a git repository of mlp's template that holds that tag or " +
        `commit (check with \`git -C ${answers.src} rev-parse ${answers.commit}\`); a project ` +
        "generated from a checkout with uncommitted changes records a commit that exists " +
        "nowhere: generate projects from a release tag (docs/releases.md)",
    },
  );
}

/** A file's bytes and whether it is executable; null when there is no file. */
interface Entry {
  bytes: Uint8Array;
  executable: boolean;
}

async function readEntry(path: string): Promise<Entry | null> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) return null;
    return { bytes: await Deno.readFile(path), executable: ((info.mode ?? 0) & 0o111) !== 0 };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

function sameEntry(a: Entry | null, b: Entry | null): boolean {
  if (a === null || b === null) return a === b;
  return a.executable === b.executable && sameBytes(a.bytes, b.bytes);
}

/** Whether two byte arrays are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * `git diff --no-index` of the two files, with the paths in its headers replaced by the
 * project-relative one, so the diff reads (and applies) as a change of that file.
 */
async function unifiedDiff(
  cwd: string,
  file: string,
  template: string | null,
  project: string | null,
): Promise<string> {
  const output = await gitOutput(cwd, [
    "diff",
    "--no-index",
    "--no-color",
    "--no-ext-diff",
    "--",
    template ?? "/dev/null",
    project ?? "/dev/null",
  ]);
  if (output.code > 1) {
    throw new CheckError(`\`git diff --no-index\` of "${file}" failed`, {
      details: output.stderr === "" ? [] : output.stderr.split("\n"),
    });
  }
  return relabel(new TextDecoder().decode(output.stdout), file);
}

/** The diff's header lines name `a/<file>` and `b/<file>` (or /dev/null). */
export function relabel(diff: string, file: string): string {
  const lines = diff.split("\n");
  for (const [i, line] of lines.entries()) {
    if (line.startsWith("@@")) break;
    if (line.startsWith("diff --git ")) lines[i] = `diff --git a/${file} b/${file}`;
    else if (line.startsWith("--- ") && line !== "--- /dev/null") lines[i] = `--- a/${file}`;
    else if (line.startsWith("+++ ") && line !== "+++ /dev/null") lines[i] = `+++ b/${file}`;
    else if (line.startsWith("Binary files ")) {
      const a = line.includes(" /dev/null and ") ? "/dev/null" : `a/${file}`;
      const b = line.endsWith(" and /dev/null differ") ? "/dev/null" : `b/${file}`;
      lines[i] = `Binary files ${a} and ${b} differ`;
    }
  }
  return lines.join("\n");
}

/**
 * The last commit that changed the answers file: the first commit or the last `copier update`,
 * where Copier wrote the scaffold. Null outside git or before any commit.
 */
async function lastAnswersCommit(root: string): Promise<string | null> {
  const output = await gitOutput(root, ["log", "-1", "--format=%H", "HEAD", "--", ANSWERS_FILE]);
  const sha = new TextDecoder().decode(output.stdout).trim();
  return output.code === 0 && sha !== "" ? sha : null;
}

/**
 * The fix of one finding: when the commit where Copier last wrote the scaffold holds the
 * template's file (or, for an extra file, none), checking that out restores it, and the
 * pre-commit hook accepts the restored file; otherwise the diff, applied in reverse.
 */
async function fixOf(
  root: string,
  file: string,
  kind: DriftKind,
  template: Entry | null,
  base: string | null,
): Promise<string> {
  const reverse = `apply the diff reversed (\`mlp drift --patch | git apply -R\` restores every ` +
    "drifted file)";
  const short = base?.slice(0, 12);
  if (kind === "extra") {
    const why = `${file.split("/")[0]}/ holds the template's files only`;
    return `remove it (\`git rm -f -- ${file}\`): ${why}`;
  }
  if (base !== null && template !== null) {
    const output = await gitOutput(root, ["cat-file", "blob", `${base}:${file}`]);
    if (output.code === 0 && sameBytes(output.stdout, template.bytes)) {
      return `restore the version Copier wrote in commit ${short}: ` +
        `\`git checkout ${short} -- ${file}\`, or ${reverse}; a change every project needs ` +
        "belongs in mlp's template, and reaches projects with `copier update`";
    }
  }
  return `${reverse}; a change every project needs belongs in mlp's template, and reaches ` +
    "projects with `copier update`";
}

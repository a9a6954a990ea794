/**
 * What the project holds as committed at HEAD, for the checks that must not trust the work tree:
 * the reference values of the protected fields come from the standards at HEAD, and an override
 * approves a change made on top of HEAD.
 *
 * @module
 */
import { CheckError } from "../errors.ts";
import { gitOutput, gitShow } from "../fingerprint/git.ts";
import { type ProtectedReference, protectedReference } from "./protected.ts";
import { parseStandards, type Standards } from "./standards.ts";

/** HEAD of the project's repository, and files as committed there. */
export interface Committed {
  /** Full SHA of HEAD; null outside a repository or before the first commit. */
  head: string | null;
  /** The text of a project-relative path at HEAD; null when HEAD has no such file (or no HEAD). */
  text(path: string): Promise<string | null>;
}

/**
 * Opens HEAD of the repository the project at `root` lies in.
 *
 * @throws {CheckError} when git is not installed.
 */
export async function readCommitted(root: string): Promise<Committed> {
  const output = await gitOutput(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]);
  const head = output.code === 0 ? new TextDecoder().decode(output.stdout).trim() : null;
  return {
    head,
    async text(path) {
      if (head === null) return null;
      const bytes = await gitShow(root, head, path);
      return bytes === null ? null : new TextDecoder().decode(bytes);
    },
  };
}

/**
 * The reference values of `mlp run` and `mlp validate`: the protected fields of the standards as
 * committed at HEAD, the rest of `working` as it is. Before the first commit (or outside a
 * repository) the working standards are the reference; `mlp run` records the commit it ran at, so
 * it refuses such a project anyway.
 *
 * @param file The standards' project-relative path.
 * @throws {CheckError} when HEAD exists but does not hold the standards: nothing committed says
 *   what the protected fields must be (fail closed).
 * @throws {InputError} when the standards at HEAD are invalid.
 */
export async function committedReference(
  committed: Committed,
  working: Standards,
  file: string,
): Promise<ProtectedReference> {
  if (committed.head === null) return protectedReference(working, null, file);
  const text = await committed.text(file);
  if (text === null) {
    throw new CheckError(
      `${file} is not in HEAD, so the protected fields have no committed reference values`,
      {
        hint: `commit ${file} (\`git add ${file} && git commit\`): protected fields are ` +
          "compared with the standards as committed",
      },
    );
  }
  return protectedReference(working, parseStandards(text, `HEAD:${file}`), file);
}

/**
 * The Copier answers file of a project: where its template came from (`_src_path`), at which
 * version (`_commit`, what `git describe --tags --always` said: a tag such as `v0.9.0`, or a
 * commit), and the answers it was generated with.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { parseYamlStrict } from "../config/yaml_strict.ts";
import { ANSWERS_FILE } from "./scaffold.ts";

/** What a project's `.copier-answers.yml` records. */
export interface CopierAnswers {
  /** The template source, as Copier was given it (a path, relative to the project, or a URL). */
  src: string;
  /** The template version: a tag, `<tag>-<n>-g<sha>`, or an abbreviated commit. */
  commit: string;
  /** The answers to the template's questions (every key not starting with `_`). */
  data: Record<string, unknown>;
}

/**
 * Parses the answers file's text.
 *
 * @throws {InputError} for invalid YAML, a document that is not a mapping, or a missing or
 *   non-string `_src_path` / `_commit`, naming the field.
 *
 * @example Usage
 * ```ts
 * import { parseAnswers } from "./answers.ts";
 * parseAnswers("_commit: v1.0.0\n_src_path: /opt/mlp\nproject_name: p\n");
 * // => { src: "/opt/mlp", commit: "v1.0.0", data: { project_name: "p" } }
 * ```
 */
export function parseAnswers(text: string, file: string = ANSWERS_FILE): CopierAnswers {
  const doc = parseYamlStrict(text, file);
  const value = doc.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError("the answers file is not a YAML mapping", {
      location: { file },
      hint: "restore it from git (`git checkout HEAD -- .copier-answers.yml`): Copier writes it",
    });
  }
  const record = value as Record<string, unknown>;
  const field = (name: "_src_path" | "_commit", what: string): string => {
    const found = record[name];
    if (typeof found === "string" && found !== "") return found;
    throw new InputError(`the answers file records no ${what}`, {
      location: { file, line: doc.locate([name])?.line, field: name },
      hint: "it is written by `copier copy` from a git repository of mlp's template: restore it " +
        "from git (`git checkout HEAD -- .copier-answers.yml`), or generate the project again",
    });
  };
  const src = field("_src_path", "template source");
  const commit = field("_commit", "template version");
  const data = Object.fromEntries(Object.entries(record).filter(([key]) => !key.startsWith("_")));
  return { src, commit, data };
}

/**
 * Whether two answers files record different answers or template versions (comments, order and
 * layout aside): what makes a commit a `copier update`.
 */
export function answersDiffer(a: CopierAnswers, b: CopierAnswers): boolean {
  return JSON.stringify(canonical(a)) !== JSON.stringify(canonical(b));
}

function canonical(answers: CopierAnswers): unknown[] {
  const data = Object.entries(answers.data).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return [answers.src, answers.commit, data];
}

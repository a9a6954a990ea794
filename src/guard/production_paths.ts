/**
 * Project code never names production data: a file in src/ that mentions `data/production` is
 * refused, whether it writes the path out or builds it from parts (`os.path.join("data",
 * "production")`, `Path("data") / "production"`, `"data" + "/production"`). Like the training
 * guard, a deterrent: the sandbox of `mlp run` is what keeps a run from reading it. Pure.
 *
 * @module
 */
import type { FileProblem } from "./check_file.ts";
import { isPythonName } from "./python_files.ts";
import { stringValue } from "./python_strings.ts";
import { tokenizePython } from "./python_tokens.ts";

/** The production data folder, as project code would name it. */
export const PRODUCTION = "data/production";

const SEGMENTS = /(?:^|\/)data\/production(?:\/|$)/;

/**
 * What a source must contain for its string literals to spell "production": the word itself, an
 * escape (a backslash), or the word split where a literal or an f-string field ends (a proper
 * prefix of it before a quote or `{`). Sources without any are skipped without tokenizing.
 */
const MAY_SPELL = /production|\\|p(?:r(?:o(?:d(?:u(?:c(?:t(?:i(?:o)?)?)?)?)?)?)?)?["'{]/;

/**
 * Every line of `text`, the staged content of the project file at `path`, that refers to
 * production data: the literal path in any file, and in Python the path joined from the string
 * literals of one logical line (taken as path parts, and as parts of one string).
 *
 * @example Usage
 * ```ts
 * import { productionReferences } from "./production_paths.ts";
 * productionReferences("src/io.py", 'P = Path("data") / "production"\n')[0].line; // => 1
 * ```
 */
export function productionReferences(path: string, text: string): FileProblem[] {
  const lines = text.split("\n");
  const found = new Set<number>();
  for (const [i, line] of lines.entries()) {
    if (line.includes(PRODUCTION)) found.add(i + 1);
  }
  if (isPythonName(path) && MAY_SPELL.test(text)) {
    for (const line of spelledReferences(text)) found.add(line);
  }
  return [...found].sort((a, b) => a - b).map((line) => ({
    file: path,
    line,
    message: `code refers to "${PRODUCTION}": ${(lines[line - 1] ?? "").trim()}`,
    hint: "runs never read production data; load the verified shadow dataset through the " +
      "platform (dataset_version in the config) and remove the reference",
  }));
}

/** Lines where a logical line's string literals join into a path through data/production. */
function spelledReferences(source: string): number[] {
  const lines: number[] = [];
  let parts: string[] = [];
  // The line to name: of the literal that holds "production", else of the line's first literal.
  let named = 0;
  let first = 0;
  const judge = () => {
    // "production" has no "/", so it is in the joined parts only if it is in the glued ones.
    const glued = parts.join("");
    const refers = glued.includes("production") &&
      (leadsToProduction(parts.join("/")) || leadsToProduction(glued));
    if (refers) lines.push(named || first);
    parts = [];
    named = first = 0;
  };
  for (const token of tokenizePython(source)) {
    if (token.kind === "newline") {
      judge();
    } else if (token.kind === "string") {
      const value = stringValue(token.value, { fields: "" }) ?? "";
      parts.push(value);
      first ||= token.line;
      if (named === 0 && value.includes("production")) named = token.line;
    }
  }
  return lines;
}

/** Whether a path, `\` or `/` separated, with `.` and doubled separators, has data/production. */
function leadsToProduction(path: string): boolean {
  const normalized = path.replaceAll("\\", "/").replace(/\/+/g, "/").replace(
    /(^|\/)(\.\/)+/g,
    "$1",
  );
  return SEGMENTS.test(normalized);
}

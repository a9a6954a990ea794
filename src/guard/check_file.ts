/**
 * The training guard on one file, as every caller reports it: the pre-commit hook on a staged
 * file and `mlp guard` on a file of the work tree. Python files are scanned as they are;
 * notebooks by their code cells, and a notebook that cannot be read is a problem itself, since
 * it could not be checked. Pure.
 *
 * @module
 */
import { notebookPython } from "./notebook.ts";
import { type Finding, type FindingKind, scanTrainingCalls } from "./training_guard.ts";

/** One problem in a file, with how to proceed. */
export interface FileProblem {
  /** Project-relative path of the file. */
  file: string;
  line?: number;
  message: string;
  /** How to proceed. */
  hint: string;
}

const HINT = "models are trained and logged only by `mlp run`, which fits the estimator that " +
  "src/model.py builds: remove the call (test code belongs in tests/, utility scripts in scripts/)";

const HINTS: Record<FindingKind, string> = {
  training: HINT,
  mlflow: HINT,
  unreadable: "the training guard checks only code it can read: call the code directly, or " +
    "import it from a .py module with `import`; give exec, eval and compile only string " +
    "literals, or remove them",
};

/**
 * Every training or MLflow call in `source`, the text of the Python file or `.ipynb` notebook at
 * project-relative `path` (which the caller has found to be Python: `python_files.ts`).
 *
 * @param via The file `source` was read from when `path` is a symlink to it (or lies in a
 *   linked folder): messages name it, since that is the file to fix.
 *
 * @example Usage
 * ```ts
 * import { guardFile } from "./check_file.ts";
 * guardFile("src/model.py", "model.fit(X, y)\n")[0].message;
 * // => 'training call ".fit(" outside `mlp run`: model.fit(X, y)'
 * ```
 */
export function guardFile(path: string, source: string, via?: string): FileProblem[] {
  const link = via === undefined ? "" : `symlink to "${via}": `;
  const describe = (found: Finding) => `${found.what}: ${found.text}`;
  if (!(via ?? path).endsWith(".ipynb") || /\.pyw?$/.test(path)) {
    return scanTrainingCalls(source, path).map((found) => ({
      file: path,
      line: found.line,
      message: `${link}${describe(found)}`,
      hint: HINTS[found.kind],
    }));
  }
  let notebook;
  try {
    notebook = notebookPython(source);
  } catch (error) {
    return [{
      file: path,
      message: `${link}cannot read the notebook, so the training guard cannot check it: ${
        (error as Error).message
      }`,
      hint: "save it again from Jupyter (nbformat 4), or unstage it: `git restore --staged " +
        `${path}\``,
    }];
  }
  return scanTrainingCalls(notebook.source, path).map((found) => {
    const { cell, line } = notebook.locate(found.line);
    return {
      file: path,
      message: `${link}cell ${cell}, line ${line}: ${describe(found)}`,
      hint: HINTS[found.kind],
    };
  });
}

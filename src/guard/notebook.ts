/**
 * The Python inside a Jupyter notebook, for the training guard: a notebook is JSON, and the code
 * an agent could train with sits in its code cells. Pure.
 *
 * @module
 */

/** A place in a notebook: 1-based code-cell number (counting every cell) and line in that cell. */
export interface CellLocation {
  cell: number;
  line: number;
}

/** The code cells of a notebook joined into one Python source, and the way back to the cells. */
export interface NotebookPython {
  /** Every code cell in order, one after another, as the Python that IPython runs of it. */
  source: string;
  /** Maps a 1-based line of `source` to the cell and line it came from. */
  locate(line: number): CellLocation;
}

/**
 * Reads the code cells of a notebook (nbformat 4, the format Jupyter has written since 2015).
 *
 * IPython's own syntax is turned into the Python it runs, keeping line numbers and columns: a line
 * magic's or cell magic's name (`%time`, `%%timeit`) becomes spaces, since what follows it is
 * Python that runs (`%time model.fit(X, y)` fits); shell lines (`!pip install x`) and help lines
 * (`model.fit?`) run no Python and become empty.
 *
 * @throws {SyntaxError} when `text` is not a notebook: invalid JSON or no `cells` list
 *
 * @example Usage
 * ```ts
 * import { notebookPython } from "./notebook.ts";
 * const nb = notebookPython('{"cells":[{"cell_type":"code","source":["x = 1\\n","m.fit(x)"]}]}');
 * nb.source; // "x = 1\nm.fit(x)\n"
 * nb.locate(2); // { cell: 1, line: 2 }
 * ```
 */
export function notebookPython(text: string): NotebookPython {
  const notebook = JSON.parse(text) as { cells?: unknown };
  if (!Array.isArray(notebook?.cells)) {
    throw new SyntaxError('no "cells" list: not an nbformat 4 notebook');
  }
  const lines: string[] = [];
  const origins: CellLocation[] = [];
  for (const [index, cell] of notebook.cells.entries()) {
    const { cell_type: type, source } = (cell ?? {}) as { cell_type?: unknown; source?: unknown };
    if (type !== "code") continue;
    const code = Array.isArray(source) ? source.join("") : typeof source === "string" ? source : "";
    for (const [i, line] of code.split(/\r\n|\r|\n/).entries()) {
      lines.push(ipythonToPython(line));
      origins.push({ cell: index + 1, line: i + 1 });
    }
  }
  return {
    source: lines.map((line) => `${line}\n`).join(""),
    locate: (line) => {
      const origin = origins[line - 1];
      if (!origin) throw new RangeError(`line ${line} is not in the notebook's ${lines.length}`);
      return origin;
    },
  };
}

const MAGIC = /^\s*%%?[A-Za-z_][\w.]*/;
const SHELL = /^\s*!/;
const HELP = /^\s*\?|\?\s*$/;

/** One line of a code cell as Python: a magic's name blanked, shell and help lines emptied. */
function ipythonToPython(line: string): string {
  if (SHELL.test(line) || HELP.test(line)) return "";
  const magic = MAGIC.exec(line);
  return magic ? " ".repeat(magic[0].length) + line.slice(magic[0].length) : line;
}

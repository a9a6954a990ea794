import assert from "node:assert/strict";
import { notebookPython } from "./notebook.ts";

Deno.test("notebookPython() joins code cells, blanks shell lines and maps lines back to cells", () => {
  const nb = notebookPython(JSON.stringify({
    cells: [
      { cell_type: "code", source: "import mlflow\n!pip install x\n  %time y = 2" },
      { cell_type: "markdown", source: ["m.fit(x)\n"] },
      { cell_type: "raw", source: ["m.fit(x)\n"] },
      { cell_type: "code", source: ["def f():\n", "    m.fit(x)\n"] },
    ],
  }));
  assert.equal(nb.source, "import mlflow\n\n        y = 2\ndef f():\n    m.fit(x)\n\n");
  assert.deepEqual(nb.locate(1), { cell: 1, line: 1 });
  assert.deepEqual(nb.locate(3), { cell: 1, line: 3 });
  assert.deepEqual(nb.locate(5), { cell: 4, line: 2 });
  assert.throws(() => nb.locate(7), new RangeError("line 7 is not in the notebook's 6"));
});

Deno.test("notebookPython() reads a notebook without code cells as empty source", () => {
  assert.equal(notebookPython('{"cells": []}').source, "");
});

Deno.test("notebookPython() refuses text that is not an nbformat 4 notebook", () => {
  assert.throws(() => notebookPython("{"), SyntaxError);
  assert.throws(
    () => notebookPython('{"worksheets": []}'),
    new SyntaxError('no "cells" list: not an nbformat 4 notebook'),
  );
  assert.throws(() => notebookPython("null"), SyntaxError);
});

Deno.test("notebookPython() keeps the Python that line and cell magics run, columns in place", () => {
  const nb = notebookPython(JSON.stringify({
    cells: [
      { cell_type: "code", source: ["%time model.fit(X, y)\n", "  %timeit -n1 est.fit(X)\n"] },
      { cell_type: "code", source: ["%%timeit -n 1 model.fit(X, y)\n", "model.fit(X, y)\n"] },
      { cell_type: "code", source: ["model.fit?\n", "model.fit??\n", "?model.fit\n", "x = 1"] },
    ],
  }));
  assert.equal(
    nb.source,
    "      model.fit(X, y)\n" +
      "          -n1 est.fit(X)\n" +
      "\n" +
      "         -n 1 model.fit(X, y)\n" +
      "model.fit(X, y)\n" +
      "\n" +
      "\n\n\nx = 1\n",
  );
});

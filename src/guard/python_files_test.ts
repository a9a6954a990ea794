import assert from "node:assert/strict";
import { hasPythonShebang, isBytecodeName, isGuardedPath } from "./python_files.ts";

Deno.test("isGuardedPath() scans every .py, .pyw and notebook except tests/ and scripts/", () => {
  assert.equal(isGuardedPath("src/model.py"), true);
  assert.equal(isGuardedPath("train.py"), true);
  assert.equal(isGuardedPath("src/gui.pyw"), true);
  assert.equal(isGuardedPath("notebooks/explore.ipynb"), true);
  assert.equal(isGuardedPath("src/tests/helper.py"), true);
  assert.equal(isGuardedPath("tests/test_model.py"), false);
  assert.equal(isGuardedPath("./scripts/promote.py"), false);
  assert.equal(isGuardedPath("README.md"), false);
  assert.equal(isGuardedPath("src/notes.txt"), false);
});

Deno.test("hasPythonShebang() knows python, pypy, ipython, uv and pipx, and nothing else", () => {
  const shebang = (line: string) => hasPythonShebang(new TextEncoder().encode(`${line}\nx = 1\n`));
  for (
    const line of [
      "#!/usr/bin/env python3",
      "#!/usr/bin/python3.11 -u",
      "#!/opt/pypy3/bin/pypy3",
      "#!/usr/bin/env ipython",
      "#!/usr/bin/env -S uv run --script",
      "#!/usr/bin/env -S pipx run",
    ]
  ) {
    assert.equal(shebang(line), true, line);
  }
  for (const line of ["#!/bin/sh", "#!/usr/bin/env bash", "#!/opt/mypython/run", "# python"]) {
    assert.equal(shebang(line), false, line);
  }
  assert.equal(hasPythonShebang(new Uint8Array()), false);
});

Deno.test("isBytecodeName() names compiled Python", () => {
  assert.equal(isBytecodeName("src/__pycache__/helpers.cpython-311.pyc"), true);
  assert.equal(isBytecodeName("src/helpers.pyo"), true);
  assert.equal(isBytecodeName("src/helpers.py"), false);
});

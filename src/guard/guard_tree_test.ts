import assert from "node:assert/strict";
import {
  guardItem,
  type GuardTree,
  linksReaching,
  planScan,
  type TreeEntry,
} from "./guard_tree.ts";

/** A tree from `path: "file" | "exec" | "-> target"`. */
function tree(spec: Record<string, string>): GuardTree {
  const entries = new Map<string, TreeEntry>();
  for (const [path, what] of Object.entries(spec)) {
    entries.set(path, {
      kind: what.startsWith("-> ") ? "link" : "file",
      executable: what === "exec",
    });
  }
  return { entries, linkTarget: (path) => spec[path].slice(3) };
}

const TREE = tree({
  "src/model.py": "file",
  "src/tool": "exec",
  "src/notes.txt": "file",
  "src/t.py": "-> ../scripts/train.py",
  "src/pkg": "-> ../scripts",
  "src/chain.py": "-> t.py",
  "src/out.py": "-> /tmp/evil.py",
  "src/up": "-> ../../elsewhere",
  "src/gone.py": "-> ../notes/gone.py",
  "src/loop.py": "-> loop.py",
  "src/__pycache__/helpers.cpython-311.pyc": "file",
  "src/compiled.py": "-> ../lib/x.pyc",
  "lib/x.pyc": "file",
  "docs/link.md": "-> /etc/motd",
  "scripts/train.py": "file",
  "scripts/sub/deep.py": "file",
  "scripts/README.md": "file",
  "tests/t.py": "-> ../scripts/train.py",
});

Deno.test("planScan() reads Python by name, executables for a shebang, links as their targets", () => {
  const plan = planScan(TREE, TREE.entries.keys());
  assert.deepEqual(plan.items, [
    { path: "src/model.py", source: "src/model.py", byName: true },
    { path: "src/tool", source: "src/tool", byName: false },
    { path: "src/t.py", source: "scripts/train.py", byName: true },
    { path: "src/pkg/train.py", source: "scripts/train.py", byName: true },
    { path: "src/pkg/sub/deep.py", source: "scripts/sub/deep.py", byName: true },
    { path: "src/chain.py", source: "scripts/train.py", byName: true },
  ]);
  assert.deepEqual(plan.problems.map((p) => [p.file, p.message]), [
    [
      "src/out.py",
      'symlink to "/tmp/evil.py", outside the project: the training guard cannot check the code it runs',
    ],
    [
      "src/up",
      'symlink to "../../elsewhere", outside the project: the training guard cannot check the code it runs',
    ],
    [
      "src/gone.py",
      'symlink to "../notes/gone.py", which the commit does not hold: the training guard cannot check the code it runs',
    ],
    [
      "src/loop.py",
      'symlink to "loop.py", which the commit does not hold: the training guard cannot check the code it runs',
    ],
    [
      "src/__pycache__/helpers.cpython-311.pyc",
      "compiled Python: Python imports it like a module, and the training guard cannot read it",
    ],
    [
      "src/compiled.py",
      'compiled Python (a symlink to "lib/x.pyc"): Python imports it like a module, and the training guard cannot read it',
    ],
    [
      "lib/x.pyc",
      "compiled Python: Python imports it like a module, and the training guard cannot read it",
    ],
  ]);
  assert.equal(
    plan.problems[0].hint,
    "commit the file itself rather than a link to it: `git rm --cached src/out.py`, then copy the file into the project",
  );
});

Deno.test("linksReaching() finds the links whose target file or folder holds a changed file", () => {
  assert.deepEqual(linksReaching(TREE, new Set(["scripts/train.py"])), [
    "src/t.py",
    "src/pkg",
    "src/chain.py",
  ]);
  assert.deepEqual(linksReaching(TREE, new Set(["scripts/sub/deep.py"])), ["src/pkg"]);
  assert.deepEqual(linksReaching(TREE, new Set(["src/model.py"])), []);
});

Deno.test("guardItem() scans an executable only when its shebang runs Python, naming a link's target", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const tool = { path: "src/tool", source: "src/tool", byName: false };
  assert.deepEqual(
    guardItem(tool, bytes("#!/usr/bin/env python3\nmodel.fit(X, y)\n"))?.map((
      p,
    ) => [p.line, p.message]),
    [
      [2, 'training call ".fit(" outside `mlp run`: model.fit(X, y)'],
    ],
  );
  assert.equal(guardItem(tool, bytes("#!/bin/sh\nmodel.fit(X, y)\n")), undefined);
  const link = { path: "src/t.py", source: "scripts/train.py", byName: true };
  assert.deepEqual(
    guardItem(link, bytes("model.fit(X, y)\n"))?.map((p) => [p.file, p.line, p.message]),
    [
      [
        "src/t.py",
        1,
        'symlink to "scripts/train.py": training call ".fit(" outside `mlp run`: model.fit(X, y)',
      ],
    ],
  );
});

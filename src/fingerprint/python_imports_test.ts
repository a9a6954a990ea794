import assert from "node:assert/strict";
import { importedModules } from "./python_imports.ts";

const TOP = { name: "features", isPackage: false };

Deno.test("importedModules() finds plain, aliased, dotted and from-imports with their parents", () => {
  const source = [
    "import os, sys as system",
    "import helpers.dates as hd",
    "from lib.text import clean, strip as s",
    "from pandas import *",
    "",
  ].join("\n");
  assert.deepEqual(importedModules(source, TOP), [
    "helpers",
    "helpers.dates",
    "lib",
    "lib.text",
    "lib.text.clean",
    "lib.text.strip",
    "os",
    "pandas",
    "sys",
  ]);
});

Deno.test("importedModules() ignores imports in comments, strings and docstrings", () => {
  const source = [
    '"""Module doc.',
    "import in_docstring",
    '"""',
    "# import in_comment",
    "x = 'import in_single'",
    'y = """',
    "from in_triple import z",
    '"""',
    'z = f"{value!r} import in_fstring"',
    "w = r'\\' import in_raw'",
    "def f():",
    "    '''import in_function_doc'''",
    "    import real  # import after_code",
    "",
  ].join("\n");
  assert.deepEqual(importedModules(source, TOP), ["real"]);
});

Deno.test("importedModules() reads parenthesised, continued and nested imports", () => {
  const source = [
    "from helpers import (",
    "    a,  # first",
    "    b as bee,",
    ")",
    "import one, \\",
    "    two",
    "try:",
    "    import fast_json as json",
    "except ImportError:",
    "    import json",
    "if TYPE_CHECKING: from typing_only import T",
    "x = 1; import after_semicolon",
    "raise ValueError() from error_not_import",
    "",
  ].join("\n");
  assert.deepEqual(importedModules(source, TOP), [
    "after_semicolon",
    "fast_json",
    "helpers",
    "helpers.a",
    "helpers.b",
    "json",
    "one",
    "two",
    "typing_only",
    "typing_only.T",
  ]);
});

Deno.test("importedModules() resolves relative imports against the module's package", () => {
  const source = "from . import sibling\nfrom .dates import parse\nfrom .. import top\n" +
    "from ..other.deep import thing\n";
  assert.deepEqual(importedModules(source, { name: "pkg.sub.mod", isPackage: false }), [
    "pkg",
    "pkg.other",
    "pkg.other.deep",
    "pkg.other.deep.thing",
    "pkg.sub",
    "pkg.sub.dates",
    "pkg.sub.dates.parse",
    "pkg.sub.sibling",
    "pkg.top",
  ]);
  // In a package's __init__.py, "." is the package itself.
  assert.deepEqual(importedModules("from .core import x\n", { name: "pkg", isPackage: true }), [
    "pkg",
    "pkg.core",
    "pkg.core.x",
  ]);
});

Deno.test("importedModules() drops relative imports that climb above the top level", () => {
  assert.deepEqual(importedModules("from . import x\nfrom .m import y\n", TOP), []);
  assert.deepEqual(
    importedModules("from ... import x\n", { name: "pkg.mod", isPackage: false }),
    [],
  );
});

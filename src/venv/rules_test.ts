import { deepEqual, equal } from "node:assert/strict";
import {
  cacheHolds,
  cacheSource,
  lockVersions,
  normalizeRecordPath,
  parseDistInfoName,
  parseRecord,
  RACY_MS,
  stampsDigest,
  venvProblems,
} from "./rules.ts";

Deno.test("parseRecord() reads hashes, quoted paths and entries without a hash", () => {
  deepEqual(
    parseRecord(
      'sklearn/__init__.py,sha256=AbC_-1,120\n"odd,name.py",sha256=xyz,3\r\n' +
        "scikit_learn-1.9.1.dist-info/RECORD,,\n",
    ),
    [
      { path: "sklearn/__init__.py", sha256: "AbC_-1" },
      { path: "odd,name.py", sha256: "xyz" },
      { path: "scikit_learn-1.9.1.dist-info/RECORD", sha256: null },
    ],
  );
});

Deno.test("parseDistInfoName() and lockVersions() agree on normalized names", () => {
  deepEqual(parseDistInfoName("scikit_learn-1.9.1.dist-info"), {
    name: "scikit-learn",
    version: "1.9.1",
  });
  equal(parseDistInfoName("sklearn"), null);
  const lock = '[[package]]\nname = "scikit-learn"\nversion = "1.9.1"\n\n' +
    '[[package]]\nname = "Typing.Extensions"\nversion = "4.0"\n';
  deepEqual(
    [...lockVersions(lock)].map(([name, v]) => [name, [...v]]),
    [["scikit-learn", ["1.9.1"]], ["typing-extensions", ["4.0"]]],
  );
});

Deno.test("cacheSource() maps a bytecode cache to its source, and nothing else", () => {
  equal(cacheSource("sklearn/__pycache__/base.cpython-311.pyc"), "sklearn/base.py");
  equal(cacheSource("__pycache__/py.cpython-311.opt-1.pyc"), "py.py");
  equal(cacheSource("sklearn/base.pyc"), null);
  equal(normalizeRecordPath("../../../bin/mlflow"), "../../../bin/mlflow");
  equal(normalizeRecordPath("a/./b/../c.py"), "a/c.py");
});

const dist = {
  distInfo: "scikit_learn-1.9.1.dist-info",
  name: "scikit-learn",
  version: "1.9.1",
  record: [
    { path: "sklearn/base.py", sha256: "good" },
    { path: "scikit_learn-1.9.1.dist-info/RECORD", sha256: null },
  ],
};
const locked = new Map([["scikit-learn", new Set(["1.9.1"])]]);

Deno.test("venvProblems() accepts what uv installed, bytecode caches of listed sources included", () => {
  deepEqual(
    venvProblems({
      distributions: [dist],
      locked,
      files: [
        "sklearn/base.py",
        "sklearn/__pycache__/base.cpython-311.pyc",
        "scikit_learn-1.9.1.dist-info/RECORD",
      ],
      hashes: new Map([["sklearn/base.py", "good"]]),
    }),
    [],
  );
});

Deno.test("venvProblems() names a changed or missing file, a stray file, a .pth and a version", () => {
  deepEqual(
    venvProblems({
      distributions: [dist, {
        ...dist,
        distInfo: "numpy-2.0.dist-info",
        name: "numpy",
        version: "2.0",
        record: [],
      }],
      locked: new Map([["scikit-learn", new Set(["1.9.0"])]]),
      files: [
        "sklearn/base.py",
        "sklearn/evil.cpython-311-x86_64-linux-gnu.so",
        "zz.pth",
        "__pycache__/evil.cpython-311.pyc",
      ],
      hashes: new Map([["sklearn/base.py", "bad"]]),
    }).map((p) => [p.distribution, p.message]),
    [
      ["scikit-learn", "scikit-learn 1.9.1 is installed but uv.lock pins 1.9.0"],
      ["scikit-learn", 'scikit-learn 1.9.1: "sklearn/base.py" does not match its RECORD hash'],
      [null, 'numpy 2.0 is installed but not in uv.lock ("numpy-2.0.dist-info")'],
      [null, '"sklearn/evil.cpython-311-x86_64-linux-gnu.so" belongs to no installed package'],
      [null, '"zz.pth" is a .pth file no installed package lists: Python runs it at every start'],
      [null, '"__pycache__/evil.cpython-311.pyc" belongs to no installed package'],
    ],
  );
  deepEqual(
    venvProblems({ distributions: [dist], locked, files: [], hashes: new Map() })
      .map((p) => p.message),
    ['scikit-learn 1.9.1: "sklearn/base.py" is missing'],
  );
});

Deno.test("cacheHolds() trusts unchanged stamps only when they predate the cache by 2 s", () => {
  const stamp = { size: 10, mtimeMs: 1_000, ctimeMs: 1_000, ino: 7 };
  const digest = stampsDigest([["a.py", stamp], ["b.py", null]]);
  const cached = { digest, newestMs: 1_000 };
  equal(cacheHolds(cached, digest, 1_000 + RACY_MS + 1), true);
  equal(cacheHolds(cached, digest, 1_000 + RACY_MS), false);
  for (const changed of [{ ctimeMs: 1_001 }, { ino: 8 }, { size: 11 }, { mtimeMs: 999 }]) {
    const other = stampsDigest([["a.py", { ...stamp, ...changed }], ["b.py", null]]);
    equal(cacheHolds(cached, other, 1_000 + RACY_MS + 1), false);
  }
  equal(cacheHolds(cached, stampsDigest([["a.py", stamp], ["b.py", stamp]]), 9_999), false);
});

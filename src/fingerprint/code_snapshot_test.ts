import { deepEqual, throws } from "node:assert/strict";
import { parseLsTree, snapshotEntries } from "./code_snapshot.ts";

Deno.test("snapshotEntries() takes files and links inside src/, not Python's caches", () => {
  deepEqual(
    snapshotEntries([
      { path: "src/model.py", kind: "file" },
      { path: "src/__pycache__/model.cpython-311.pyc", kind: "file" },
      { path: "src/pkg/alias.py", kind: "symlink", target: "../model.py" },
      { path: "src/features.py", kind: "file" },
    ]),
    [
      { path: "src/features.py", kind: "file" },
      { path: "src/model.py", kind: "file" },
      { path: "src/pkg/alias.py", kind: "symlink", target: "../model.py" },
    ],
  );
});

Deno.test("snapshotEntries() refuses a link that leaves src/ and an entry that is not a file", () => {
  for (const target of ["../configs/x.py", "/etc/passwd", "pkg/../../x.py"]) {
    throws(() => snapshotEntries([{ path: "src/a.py", kind: "symlink", target }]), {
      message: `"src/a.py" is a symbolic link to "${target}", outside src/`,
    });
  }
  throws(() => snapshotEntries([{ path: "src/vendor", kind: "other" }]), {
    message: '"src/vendor" is neither a file nor a symbolic link',
  });
});

Deno.test("parseLsTree() reads files, links and submodules with their ids", () => {
  deepEqual(
    parseLsTree(
      "100644 blob aaa\tsrc/a.py\0" + "120000 blob bbb\tsrc/l.py\0" +
        "160000 commit ccc\tsrc/sub\0",
    ),
    [
      { path: "src/a.py", kind: "file", oid: "aaa" },
      { path: "src/l.py", kind: "symlink", oid: "bbb" },
      { path: "src/sub", kind: "other", oid: "ccc" },
    ],
  );
});

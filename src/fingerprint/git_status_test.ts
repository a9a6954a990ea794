import assert from "node:assert/strict";
import { parseGitStatus } from "./git_status.ts";

const OID = "1f".repeat(20);

Deno.test("parseGitStatus() reads a clean branch", () => {
  assert.deepEqual(
    parseGitStatus(`# branch.oid ${OID}\n# branch.head main\n# branch.upstream origin/main\n`),
    { commit: OID, branch: "main", dirty: false },
  );
});

Deno.test("parseGitStatus() counts changed, unmerged and untracked entries, not ignored ones", () => {
  const head = `# branch.oid ${OID}\n# branch.head feature/x\n`;
  assert.equal(parseGitStatus(`${head}! .mlp/\n`).dirty, false);
  assert.equal(parseGitStatus(`${head}? notes.txt\n`).dirty, true);
  assert.equal(
    parseGitStatus(`${head}1 .M N... 100644 100644 100644 ${OID} ${OID} src/features.py\n`).dirty,
    true,
  );
  assert.equal(
    parseGitStatus(`${head}2 R. N... 100644 100644 100644 ${OID} ${OID} R100 a\tb\n`).dirty,
    true,
  );
  assert.equal(
    parseGitStatus(`${head}u UU N... 100644 100644 100644 100644 ${OID} ${OID} ${OID} x\n`).dirty,
    true,
  );
});

Deno.test("parseGitStatus() reports no commit and a detached HEAD as null", () => {
  assert.deepEqual(parseGitStatus("# branch.oid (initial)\n# branch.head main\n"), {
    commit: null,
    branch: "main",
    dirty: false,
  });
  assert.deepEqual(parseGitStatus(`# branch.oid ${OID}\n# branch.head (detached)\n`), {
    commit: OID,
    branch: null,
    dirty: false,
  });
});

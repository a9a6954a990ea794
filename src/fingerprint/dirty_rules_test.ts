import assert from "node:assert/strict";
import { flaggedEntries, isPythonCache, untrackedCode } from "./dirty_rules.ts";

Deno.test("flaggedEntries() reports assume-unchanged (lowercase) and skip-worktree (S, s) entries only", () => {
  assert.deepEqual(
    flaggedEntries("H uv.lock\0M conflict.py\0h src/a.py\0S src/b.py\0s src/c.py\0H sp ace.py\0"),
    [
      '"src/a.py" is marked assume-unchanged',
      '"src/b.py" is marked skip-worktree',
      '"src/c.py" is marked skip-worktree',
    ],
  );
  assert.deepEqual(flaggedEntries(""), []);
});

Deno.test("untrackedCode() lets through only the caches Python names itself", () => {
  assert.equal(isPythonCache("src/__pycache__/features.cpython-311.pyc"), true);
  assert.equal(isPythonCache("src/pkg/__pycache__/m.cpython-311.opt-1.pyc"), true);
  assert.equal(isPythonCache("src/__pycache__/evil.pyc"), false);
  assert.equal(isPythonCache("src/__pycache__/evil.py"), false);
  assert.equal(isPythonCache("src/helpers.cpython-311.pyc"), false);
  assert.deepEqual(
    untrackedCode("src/__pycache__/features.cpython-311.pyc\0src/helpers.pyc\0src/sub/\0"),
    ['"src/helpers.pyc" is not tracked by git', '"src/sub/" is not tracked by git'],
  );
});

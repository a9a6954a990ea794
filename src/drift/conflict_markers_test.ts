import assert from "node:assert/strict";
import { join } from "node:path";
import { conflictProblem, findConflict, treeConflicts } from "./conflict_markers.ts";
import { git } from "../hooks/testing.ts";

Deno.test("a conflict is the whole triple of markers, in order", () => {
  assert.deepEqual(
    findConflict("a\n<<<<<<< before updating\nx\n=======\ny\n>>>>>>> after updating\n"),
    { start: 2, end: 6 },
  );
  assert.deepEqual(findConflict("<<<<<<< HEAD\r\nx\r\n=======\r\ny\r\n>>>>>>> b\r\n"), {
    start: 1,
    end: 5,
  });
  // git merge-file with the diff3 style: the base section does not matter.
  assert.deepEqual(
    findConflict("<<<<<<< ours\na\n||||||| base\nb\n=======\nc\n>>>>>>> theirs\n"),
    { start: 1, end: 7 },
  );
});

Deno.test("Markdown underlines, YAML rules and partial markers are not conflicts", () => {
  assert.equal(findConflict("Title\n=======\n\ntext\n"), null);
  assert.equal(findConflict("# =======\nkey: 1\n"), null);
  assert.equal(findConflict("=======\n>>>>>>> x\n"), null);
  assert.equal(findConflict("<<<<<<< x\n=======\n"), null);
  assert.equal(findConflict(">>>>>>> x\n=======\n<<<<<<< y\n"), null);
  assert.equal(findConflict("<<<<<<<< x\n=======\n>>>>>>> y\n"), null);
  assert.equal(findConflict("  <<<<<<< x\n=======\n>>>>>>> y\n"), null);
  assert.equal(findConflict("<<<<<<< x\n======= \n>>>>>>> y\n"), null);
});

Deno.test("a binary file never holds a conflict", () => {
  const bytes = new TextEncoder().encode("\0<<<<<<< a\n=======\n>>>>>>> b\n");
  assert.equal(conflictProblem("data.bin", bytes), null);
  assert.deepEqual(conflictProblem("a.md", bytes.subarray(1)), {
    file: "a.md",
    line: 1,
    message: "conflict markers are left in the file (lines 1-3)",
    hint: "resolve the conflict: keep the right text between the markers, delete the " +
      "`<<<<<<<`, `=======` and `>>>>>>>` lines, then `git add` the file",
  });
});

Deno.test("treeConflicts lists tracked and untracked files with markers, not ignored ones", async () => {
  const root = await Deno.makeTempDir({ prefix: "mlp-markers-" });
  await git(root, ["init", "-q", "-b", "main"]);
  const conflict = "<<<<<<< before updating\na\n=======\nb\n>>>>>>> after updating\n";
  await Deno.writeTextFile(join(root, ".gitignore"), "ignored.md\n");
  await Deno.writeTextFile(join(root, "README.md"), "Title\n=======\n");
  await Deno.writeTextFile(join(root, "tracked.md"), conflict);
  await Deno.writeTextFile(join(root, "gone.md"), conflict);
  await git(root, ["add", "-A"]);
  await Deno.remove(join(root, "gone.md"));
  await Deno.writeTextFile(join(root, "new.txt"), `x\n${conflict}`);
  await Deno.writeTextFile(join(root, "ignored.md"), conflict);
  const problems = await treeConflicts(root);
  assert.deepEqual(problems.map((p) => [p.file, p.line]), [["new.txt", 2], ["tracked.md", 1]]);
  await Deno.remove(root, { recursive: true });
});

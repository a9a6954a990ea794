import assert from "node:assert/strict";
import { join } from "node:path";
import { git } from "../../hooks/testing.ts";
import type { AuditContext } from "../run_audit.ts";
import { checkConflictMarkers } from "./conflict_markers.ts";

Deno.test("check conflict markers: one finding per file of the tree that holds them", async () => {
  const root = await Deno.makeTempDir({ prefix: "mlp-audit-markers-" });
  await git(root, ["init", "-q", "-b", "main"]);
  await Deno.writeTextFile(join(root, "README.md"), "Title\n=======\n");
  await Deno.writeTextFile(
    join(root, "AGENTS.md"),
    "# A\n<<<<<<< before updating\nours\n=======\ntheirs\n>>>>>>> after updating\n",
  );
  await git(root, ["add", "-A"]);
  // Only the root is read: the rest of the context is the other checks'.
  const findings = await checkConflictMarkers({ root } as AuditContext);
  assert.deepEqual(findings, [{
    level: "finding",
    check: "conflict markers",
    subject: "AGENTS.md:2",
    problem: "conflict markers are left in the file (lines 2-6)",
    fix: "resolve the conflict: keep the right text between the markers, delete the " +
      "`<<<<<<<`, `=======` and `>>>>>>>` lines, then `git add` the file",
  }]);
  await Deno.remove(root, { recursive: true });
});

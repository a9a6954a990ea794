import { deepEqual, equal } from "node:assert/strict";
import { backupDestination } from "./destination.ts";

Deno.test("backupDestination(): --to, then MLP_BACKUP_DIR, then backup.dir of the standards", () => {
  const base = { root: "/p/credit", cwd: "/p/credit/src", standardsDir: "../backups" };
  deepEqual(backupDestination({ ...base, to: "/mnt/b", envDir: "/env/b" }), {
    dir: "/mnt/b",
    source: "--to",
  });
  deepEqual(backupDestination({ ...base, to: "rel" }), {
    dir: "/p/credit/src/rel",
    source: "--to",
  });
  deepEqual(backupDestination({ ...base, envDir: "/env/b" }), {
    dir: "/env/b",
    source: "MLP_BACKUP_DIR",
  });
  // A relative backup.dir is relative to the project root, wherever mlp runs.
  deepEqual(backupDestination({ ...base, envDir: "" }), {
    dir: "/p/backups",
    source: "backup.dir",
  });
  deepEqual(backupDestination({ ...base, standardsDir: "/abs/b" }), {
    dir: "/abs/b",
    source: "backup.dir",
  });
  equal(backupDestination({ root: "/p/credit", cwd: "/p/credit" }), undefined);
});

import { deepEqual, equal, throws } from "node:assert/strict";
import { backupName, expiredBackups, isBackupName, latestBackup } from "./naming.ts";

Deno.test("backupName() is the UTC second, and sorts as the time", () => {
  equal(backupName(new Date("2026-12-03T13:05:01.999Z")), "mlp-backup-20261203T130501Z");
  equal(backupName(new Date("2027-01-09T00:00:00Z")), "mlp-backup-20270109T000000Z");
  equal(isBackupName("mlp-backup-20261203T130501Z"), true);
  equal(isBackupName(".staging-mlp-backup-20261203T130501Z"), false);
  equal(isBackupName("mlp-backup-20261203T130501"), false);
});

Deno.test("latestBackup() and expiredBackups() ignore staging copies and other files", () => {
  const names = [
    "mlp-backup-20261204T000000Z",
    ".staging-mlp-backup-20261205T000000Z",
    "notes.txt",
    "mlp-backup-20261202T000000Z",
    "mlp-backup-20261203T000000Z",
  ];
  equal(latestBackup(names), "mlp-backup-20261204T000000Z");
  equal(latestBackup(["notes.txt"]), undefined);
  deepEqual(expiredBackups(names, 2), ["mlp-backup-20261202T000000Z"]);
  deepEqual(expiredBackups(names, 3), []);
  deepEqual(expiredBackups(names, 1), [
    "mlp-backup-20261202T000000Z",
    "mlp-backup-20261203T000000Z",
  ]);
  throws(() => expiredBackups(names, 0), RangeError);
});

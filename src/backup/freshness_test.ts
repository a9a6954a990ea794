import { equal } from "node:assert/strict";
import { backupWarning, utcDay } from "./freshness.ts";

const now = new Date("2026-12-07T09:00:00Z");

Deno.test("backupWarning(): none while the last verified backup is at most max_age_days old", () => {
  const at = (iso: string) => backupWarning({ lastVerifiedAt: new Date(iso), maxAgeDays: 7, now });
  equal(at("2026-12-06T18:00:00Z"), undefined);
  equal(at("2026-11-30T09:00:00Z"), undefined); // exactly seven days
  equal(
    at("2026-11-30T08:59:59Z"),
    "mlp: warning: the last verified backup is 7 days old (2026-11-30): take one with `mlp backup`",
  );
  equal(
    at("2026-11-27T18:00:00Z"),
    "mlp: warning: the last verified backup is 9 days old (2026-11-27): take one with `mlp backup`",
  );
  equal(
    backupWarning({ lastVerifiedAt: new Date("2026-12-04T09:00:00Z"), maxAgeDays: 2, now }),
    "mlp: warning: the last verified backup is 3 days old (2026-12-04): take one with `mlp backup`",
  );
});

Deno.test("backupWarning(): a project with no verified backup is warned, at most once a UTC day", () => {
  equal(
    backupWarning({ maxAgeDays: 7, now }),
    "mlp: warning: this project has no verified backup: take one with `mlp backup` " +
      "(--to DIR, MLP_BACKUP_DIR or backup.dir in configs/project_standards.yaml)",
  );
  equal(backupWarning({ maxAgeDays: 7, now, lastWarnedDay: "2026-12-07" }), undefined);
  const old = new Date("2026-11-01T00:00:00Z");
  equal(
    backupWarning({ lastVerifiedAt: old, maxAgeDays: 7, now, lastWarnedDay: "2026-12-07" }),
    undefined,
  );
  equal(
    backupWarning({ lastVerifiedAt: old, maxAgeDays: 7, now, lastWarnedDay: "2026-12-06" }),
    "mlp: warning: the last verified backup is 36 days old (2026-11-01): take one with `mlp backup`",
  );
  equal(utcDay(new Date("2026-12-07T23:59:59.999Z")), "2026-12-07");
});

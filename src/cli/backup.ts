/**
 * `mlp backup [verify]` and `mlp restore`: verified backups of the project's runs (src/backup/).
 * The backup's directory is the last line of stdout; progress and advice go to stderr.
 *
 * @module
 */
import type { Command } from "commander";
import { resolve } from "node:path";
import { CheckError, InputError } from "../errors.ts";
import { findProjectRoot, projectPaths } from "../project/paths.ts";
import { formatBytes, terminalProgress } from "../cas/progress.ts";
import { resolveTrackingUri } from "../run/tracking_uri.ts";
import { sqliteFile } from "../run/store_file.ts";
import { runningMlp } from "../hooks/install.ts";
import { takeBackup } from "../backup/take.ts";
import { verifyBackup } from "../backup/verify.ts";
import { restoreBackup } from "../backup/restore.ts";
import { printErr, printOut } from "./output.ts";

/** The variable that names the backup folder when `--to` is not given. */
export const BACKUP_DIR_VARIABLE = "MLP_BACKUP_DIR";

interface BackupFlags {
  to?: string;
  keep?: string;
  json?: boolean;
  cron?: boolean;
}

/** Registers `mlp backup`, `mlp backup verify` and `mlp restore` on the program. */
export function registerBackup(program: Command): void {
  const backup = program
    .command("backup")
    .description(
      "Back up the project's MLflow store, artifacts and audit logs, and verify the restore.",
    )
    .option("--to <dir>", `the folder that holds the backups (default: $${BACKUP_DIR_VARIABLE})`)
    .option("--keep <n>", "keep only the newest N backups there, this one included")
    .option("--json", "print the backup's description as JSON")
    .option("--cron", "print the crontab line of a weekly backup (Friday 18:00) and exit")
    .addHelpText(
      "after",
      `
Writes <dir>/mlp-backup-<UTC time>/: a consistent snapshot of mlflow.db taken while runs may be
writing (SQLite's online backup), the artifact store (files unchanged since the previous backup are
hard links to it), logs/, and MANIFEST.sha256. Before it is kept, every backup is restored into a
scratch folder and compared run by run with its snapshot through the MLflow client; the backup is
then made read-only. A backup that fails is removed. Datasets (data/shadow/) are not included:
they are content-addressed, back up the folder they came from.

Example:
  mlp backup --to /mnt/backups/credit_risk --keep 8
  mlp backup verify /mnt/backups/credit_risk/mlp-backup-20261204T180000Z
  mlp restore /mnt/backups/credit_risk/mlp-backup-20261204T180000Z --to ~/restored/credit_risk`,
    )
    .action(async (flags: BackupFlags) => {
      const root = findProjectRoot();
      const destination = flags.to ?? Deno.env.get(BACKUP_DIR_VARIABLE);
      if (!destination) {
        throw new InputError("No backup folder: pass --to DIR or set MLP_BACKUP_DIR", {
          hint: "name a folder outside the project, ideally on another disk: " +
            "mlp backup --to /mnt/backups/<project>",
        });
      }
      const keep = flags.keep === undefined ? undefined : parseKeep(flags.keep);
      if (flags.cron) {
        printOut(cronLine(root, resolve(destination), keep));
        return;
      }
      refuseOtherStore(root);
      const progress = terminalProgress("mlp: backing up");
      let result;
      try {
        result = await takeBackup(root, { destination, keep, onProgress: progress.update });
      } finally {
        progress.finish();
      }
      if (flags.json) {
        printOut(JSON.stringify(result));
        return;
      }
      for (const run of result.outside) {
        printErr(
          `mlp: warning: run ${run} keeps its artifacts outside the project; they are not in the backup`,
        );
      }
      for (const old of result.removed) {
        printErr(`mlp: removed the old backup ${old} (--keep ${keep})`);
      }
      printErr(
        `backup verified: ${result.runs} runs, ${result.artifacts} artifacts, ${
          formatBytes(result.bytes)
        } (${formatBytes(result.newBytes)} new)`,
      );
      printOut(result.dir);
    });

  backup
    .command("verify")
    .description("Check an existing backup again: every file, then a restore test through MLflow.")
    .argument("<dir>", "a backup folder (mlp-backup-<UTC time>)")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Every file is hashed against the backup's MANIFEST.sha256 (a file missing, changed or added is
named), then the backup is restored into a scratch folder and compared with its snapshot through
the MLflow client, as when it was taken. Exit 1 with the findings when it does not verify.

Example:
  mlp backup verify /mnt/backups/credit_risk/mlp-backup-20261204T180000Z`,
    )
    .action(async (dir: string, flags: { json?: boolean }) => {
      const root = findProjectRoot();
      const result = await verifyBackup(resolve(dir), root);
      if (flags.json) printOut(JSON.stringify(result));
      if (result.findings.length > 0) {
        throw new CheckError(`The backup "${dir}" does not verify`, {
          details: result.findings,
          hint: "do not restore it: use another backup, and take a new one (`mlp backup`)",
        });
      }
      if (!flags.json) {
        printOut(
          `backup verified: ${result.runs} runs, ${result.artifacts} artifacts, ${
            formatBytes(result.bytes)
          }`,
        );
      }
    });

  program
    .command("restore")
    .description("Restore a backup's store, artifacts and audit logs into a project.")
    .argument("<dir>", "a backup folder (mlp-backup-<UTC time>)")
    .option("--to <project>", "the project folder to restore into (default: this project)")
    .option(
      "--force",
      "replace a store that holds runs (what is replaced is moved to .mlp/replaced-<time>/)",
    )
    .addHelpText(
      "after",
      `
The backup is checked file by file first; a damaged backup restores nothing. Without --force, a
project whose store holds runs is left as it is. mlflow.db, mlartifacts/ and logs/ are put in
place; what they replace is moved to .mlp/replaced-<time>/, never deleted.

Example:
  mlp restore /mnt/backups/credit_risk/mlp-backup-20261204T180000Z --to ~/restored/credit_risk`,
    )
    .action(async (dir: string, flags: { to?: string; force?: boolean }) => {
      const root = flags.to ? resolve(flags.to) : findProjectRoot();
      const result = await restoreBackup(resolve(dir), root, { force: flags.force });
      if (result.replacedTo) printErr(`mlp: the replaced files are in ${result.replacedTo}`);
      printOut(`restored ${result.runs} runs (${result.files} files) into ${root}`);
    });
}

function parseKeep(value: string): number {
  const keep = Number(value);
  if (!/^\d+$/.test(value) || keep < 1) {
    throw new InputError(`--keep "${value}" is not a positive whole number`, {
      hint: "e.g. --keep 8 keeps two months of weekly backups",
    });
  }
  return keep;
}

/** The project's own SQLite store is what a project backup holds; anything else is refused. */
function refuseOtherStore(root: string): void {
  const uri = resolveTrackingUri(Deno.env.get("MLFLOW_TRACKING_URI"));
  if (sqliteFile(root, uri) === projectPaths(root).mlflowDb) return;
  throw new CheckError(
    "mlp backup backs up the project's own store (mlflow.db); MLFLOW_TRACKING_URI names another",
    {
      hint: "unset MLFLOW_TRACKING_URI to back up the project's store; backups of a tracking " +
        "server (pg_dump of its database) are not available in mlp yet: use pg_dump directly",
    },
  );
}

/** A crontab line: every Friday at 18:00, from the project folder, output kept in .mlp/. */
function cronLine(root: string, destination: string, keep: number | undefined): string {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  return `0 18 * * 5 cd ${quote(root)} && ${quote(runningMlp())} backup --to ${
    quote(destination)
  }` +
    `${keep === undefined ? "" : ` --keep ${keep}`} >> .mlp/backup.log 2>&1`;
}

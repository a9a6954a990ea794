/**
 * `mlp backup [verify]` and `mlp restore`: verified backups of the project's runs (src/backup/).
 * The backup's directory is the last line of stdout; progress and advice go to stderr.
 *
 * @module
 */
import type { Command } from "commander";
import { join, resolve } from "node:path";
import { CheckError, InputError } from "../errors.ts";
import { findProjectRoot, projectPaths, STANDARDS_PATH } from "../project/paths.ts";
import { formatBytes, terminalProgress } from "../cas/progress.ts";
import { resolveTrackingUri } from "../run/tracking_uri.ts";
import { sqliteFile } from "../run/store_file.ts";
import { runningMlp } from "../hooks/install.ts";
import { loadStandards } from "../config/standards.ts";
import { redactUri } from "../tracking/redact.ts";
import { BACKUP_DIR_VARIABLE, backupDestination } from "../backup/destination.ts";
import { ARTIFACT_ROOT_VARIABLE, takeBackup } from "../backup/take.ts";
import { verifyBackup } from "../backup/verify.ts";
import { restoreBackup } from "../backup/restore.ts";
import { restoreServerBackup } from "../backup/pg_restore.ts";
import { DATABASE_URL_VARIABLE, parseDatabaseUrl } from "../backup/pg_url.ts";
import { SERVER_PYTHON_VARIABLE } from "../backup/restore_check.ts";
import { serverCheckFromEnv, serverSourceFromEnv } from "../backup/server_env.ts";
import { recordVerifiedBackup } from "../backup/state.ts";
import { PG_DUMP_FILE } from "../backup/layout.ts";
import { exists } from "../project/exists.ts";
import { printErr, printOut } from "./output.ts";

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
    .option(
      "--to <dir>",
      `the folder that holds the backups (default: $${BACKUP_DIR_VARIABLE}, else backup.dir of ${STANDARDS_PATH})`,
    )
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

With a tracking server on PostgreSQL, set ${DATABASE_URL_VARIABLE} (its database; a password
is best kept in ~/.pgpass), ${ARTIFACT_ROOT_VARIABLE} (the folder of its --artifacts-destination)
and ${SERVER_PYTHON_VARIABLE} (the python of its environment): the backup then holds a
pg_dump --format=custom of the database (tracking.pgdump) and the artifact root (artifacts/), and
its restore test restores the dump into a scratch database, dropped afterwards.

Example:
  mlp backup --to /mnt/backups/credit_risk --keep 8
  mlp backup verify /mnt/backups/credit_risk/mlp-backup-20261204T180000Z
  mlp restore /mnt/backups/credit_risk/mlp-backup-20261204T180000Z --to ~/restored/credit_risk`,
    )
    .action(async (flags: BackupFlags) => {
      const root = findProjectRoot();
      const destination = await destinationOf(root, flags.to);
      const keep = flags.keep === undefined ? undefined : parseKeep(flags.keep);
      if (flags.cron) {
        printOut(cronLine(root, destination, keep));
        return;
      }
      const env = Deno.env.toObject();
      const server = serverSourceFromEnv(env, Deno.cwd());
      if (!server) refuseOtherStore(root);
      const progress = terminalProgress("mlp: backing up");
      const now = new Date();
      let result;
      try {
        result = await takeBackup(root, {
          destination,
          keep,
          now,
          server,
          onProgress: progress.update,
        });
      } finally {
        progress.finish();
      }
      await recordVerifiedBackup(root, { taken_at: now.toISOString(), dir: result.dir });
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
the MLflow client, as when it was taken. Exit 1 with the findings when it does not verify. The
backup of a tracking server is restore-tested in a scratch database on the server of
${DATABASE_URL_VARIABLE}, with ${SERVER_PYTHON_VARIABLE}.

Example:
  mlp backup verify /mnt/backups/credit_risk/mlp-backup-20261204T180000Z`,
    )
    .action(async (dir: string, flags: { json?: boolean }) => {
      const root = findProjectRoot();
      const progress = terminalProgress("mlp: verifying");
      let result;
      try {
        result = await verifyBackup(
          resolve(dir),
          root,
          () => serverCheckFromEnv(Deno.env.toObject()),
          progress.update,
        );
      } finally {
        progress.finish();
      }
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
      "--database <url>",
      `a tracking server's backup: the database to restore into (default: $${DATABASE_URL_VARIABLE})`,
    )
    .option(
      "--artifact-root <dir>",
      `a tracking server's backup: the folder to restore its artifacts into (default: $${ARTIFACT_ROOT_VARIABLE})`,
    )
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

The backup of a tracking server (tracking.pgdump) is restored into the database of --database
(created when missing; a URL with a password is best given in ${DATABASE_URL_VARIABLE}) and the
folder of --artifact-root. Without --force, a database that holds runs is left as it is; with it,
the database is renamed <name>_replaced_<time> (stop the server first) and the folder
<folder>.replaced-<time>.

Example:
  mlp restore /mnt/backups/credit_risk/mlp-backup-20261204T180000Z --to ~/restored/credit_risk
  mlp restore /mnt/backups/team/mlp-backup-20261204T180000Z \
    --database postgresql://mlflow@db.bank:5432/mlflow_restored --artifact-root /srv/mlflow/restored`,
    )
    .action(async (dir: string, flags: RestoreFlags) => {
      // The dump marks a tracking server's backup; a damaged one fails either restore's file check.
      if (await exists(join(resolve(dir), PG_DUMP_FILE))) {
        await restoreServer(resolve(dir), flags);
        return;
      }
      const root = flags.to ? resolve(flags.to) : findProjectRoot();
      const result = await restoreBackup(resolve(dir), root, { force: flags.force });
      if (result.replacedTo) printErr(`mlp: the replaced files are in ${result.replacedTo}`);
      printOut(`restored ${result.runs} runs (${result.files} files) into ${root}`);
    });
}

interface RestoreFlags {
  to?: string;
  database?: string;
  artifactRoot?: string;
  force?: boolean;
}

/** `mlp restore` of a tracking server's backup. */
async function restoreServer(dir: string, flags: RestoreFlags): Promise<void> {
  const url = flags.database ?? Deno.env.get(DATABASE_URL_VARIABLE);
  const artifactRoot = flags.artifactRoot ?? Deno.env.get(ARTIFACT_ROOT_VARIABLE);
  if (!url || !artifactRoot) {
    throw new InputError(
      `"${dir}" is the backup of a tracking server: name the database and the artifact folder ` +
        "to restore into",
      {
        hint: `pass --database URL (or set ${DATABASE_URL_VARIABLE}) and --artifact-root DIR ` +
          `(or set ${ARTIFACT_ROOT_VARIABLE})`,
      },
    );
  }
  const database = parseDatabaseUrl(url, flags.database ? "--database" : DATABASE_URL_VARIABLE);
  const result = await restoreServerBackup(dir, database, resolve(artifactRoot), {
    force: flags.force,
  });
  for (const aside of result.replaced) printErr(`mlp: the replaced ${aside} was kept`);
  printOut(
    `restored ${result.runs} runs (${result.files} files) into ${redactUri(database.uri)} and ${
      resolve(artifactRoot)
    }`,
  );
}

/**
 * The backup folder: `--to`, else MLP_BACKUP_DIR, else backup.dir of the standards (read only
 * when needed, so that `--to` works whatever state the standards are in).
 */
async function destinationOf(root: string, to: string | undefined): Promise<string> {
  const envDir = Deno.env.get(BACKUP_DIR_VARIABLE);
  const standardsDir = to || envDir
    ? undefined
    : (await loadStandards(projectPaths(root).standards, STANDARDS_PATH)).backup.dir;
  const destination = backupDestination({ to, envDir, standardsDir, root, cwd: Deno.cwd() });
  if (!destination) {
    throw new InputError(
      `No backup folder: pass --to DIR, set ${BACKUP_DIR_VARIABLE}, or set backup.dir in ${STANDARDS_PATH}`,
      {
        hint: "name a folder outside the project, ideally on another disk: " +
          "mlp backup --to /mnt/backups/<project>",
      },
    );
  }
  return destination.dir;
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
      hint: "unset MLFLOW_TRACKING_URI to back up the project's store; to back up a tracking " +
        `server on PostgreSQL, set ${DATABASE_URL_VARIABLE}, ${ARTIFACT_ROOT_VARIABLE} and ` +
        `${SERVER_PYTHON_VARIABLE} (docs/backup.md)`,
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

/**
 * What a backup of a project holds, by its path inside the backup (the same as in the project):
 * the store's snapshot, the artifact store, and the audit logs. A backup of a tracking server on
 * PostgreSQL holds its database's dump and its artifact root instead of the first two.
 *
 * @module
 */

/** The snapshot of the project's SQLite store. */
export const STORE_FILE = "mlflow.db";

/** The artifact store of the project's runs. */
export const ARTIFACTS_DIR = "mlartifacts";

/** The audit logs (the override log and its kin). */
export const LOGS_DIR = "logs";

/** Every top-level part of a backup, in the order a restore puts them in place. */
export const BACKUP_PARTS = [STORE_FILE, ARTIFACTS_DIR, LOGS_DIR] as const;

/** The `pg_dump --format=custom` of a tracking server's database. */
export const PG_DUMP_FILE = "tracking.pgdump";

/**
 * The tracking server's artifact root (its `--artifacts-destination`); mlp_platform.restore_check
 * reads it under the same name.
 */
export const SERVER_ARTIFACTS_DIR = "artifacts";

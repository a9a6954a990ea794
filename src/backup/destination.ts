/**
 * Which folder `mlp backup` writes to: `--to`, else `MLP_BACKUP_DIR`, else `backup.dir` of
 * configs/project_standards.yaml (relative to the project root unless absolute). Pure.
 *
 * @module
 */
import { resolve } from "node:path";

/** The variable that names the backup folder when `--to` is not given. */
export const BACKUP_DIR_VARIABLE = "MLP_BACKUP_DIR";

/** Where the destination came from, for messages. */
export type DestinationSource = "--to" | typeof BACKUP_DIR_VARIABLE | "backup.dir";

/** The chosen folder, absolute, and what named it. */
export interface Destination {
  dir: string;
  source: DestinationSource;
}

/**
 * The backup folder, or `undefined` when nothing names one. An empty `MLP_BACKUP_DIR` counts as
 * unset (`MLP_BACKUP_DIR= mlp backup` falls back to the standards). A relative `--to` or
 * `MLP_BACKUP_DIR` is relative to `cwd`, as any path on a command line; a relative `backup.dir`
 * is relative to `root`, since the committed file is read from every folder of the project.
 *
 * @example Usage
 * ```ts
 * import { backupDestination } from "./destination.ts";
 * backupDestination({ root: "/p/credit", cwd: "/p/credit/src", standardsDir: "../backups" });
 * // => { dir: "/p/backups", source: "backup.dir" }
 * ```
 */
export function backupDestination(input: {
  to?: string;
  envDir?: string;
  standardsDir?: string;
  root: string;
  cwd: string;
}): Destination | undefined {
  if (input.to) return { dir: resolve(input.cwd, input.to), source: "--to" };
  if (input.envDir) return { dir: resolve(input.cwd, input.envDir), source: BACKUP_DIR_VARIABLE };
  if (input.standardsDir) {
    return { dir: resolve(input.root, input.standardsDir), source: "backup.dir" };
  }
  return undefined;
}

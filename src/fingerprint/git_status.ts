/**
 * Reading `git status --porcelain=v2 --branch` output: the commit, the branch, and whether the
 * work tree differs from it. Pure, so the rules are tested without a repository.
 *
 * @module
 */

/** What the status output says. */
export interface ParsedStatus {
  /** The checked-out commit; null in a repository with no commits yet. */
  commit: string | null;
  /** The branch name; null when HEAD is detached. */
  branch: string | null;
  /** Any tracked change (staged or not), unmerged path, or untracked non-ignored file. */
  dirty: boolean;
}

/**
 * Parses `git status --porcelain=v2 --branch --untracked-files=normal` output (not `-z`).
 *
 * @example Usage
 * ```ts
 * import { parseGitStatus } from "./git_status.ts";
 * parseGitStatus("# branch.oid 1a2b…\n# branch.head main\n? notes.txt\n");
 * // => { commit: "1a2b…", branch: "main", dirty: true }
 * ```
 */
export function parseGitStatus(output: string): ParsedStatus {
  const status: ParsedStatus = { commit: null, branch: null, dirty: false };
  for (const line of output.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("# branch.oid ")) {
      const oid = line.slice("# branch.oid ".length);
      status.commit = oid === "(initial)" ? null : oid;
    } else if (line.startsWith("# branch.head ")) {
      const head = line.slice("# branch.head ".length);
      status.branch = head === "(detached)" ? null : head;
    } else if (!line.startsWith("#") && !line.startsWith("! ")) {
      // Entry lines: "1 " / "2 " changed, "u " unmerged, "? " untracked; "! " is ignored.
      status.dirty = true;
    }
  }
  return status;
}

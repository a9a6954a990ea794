/**
 * `mlp hooks install`: points git at the project's `.githooks/` and turns off fast-forward
 * merges, because a fast-forward creates no merge commit and so never runs the merge gate.
 *
 * @module
 */
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import { gitRun } from "../fingerprint/git.ts";

/** The hooks directory, relative to the project root (the repository's top level). */
export const HOOKS_DIR = ".githooks";

/** The hook scripts a project must have; each execs `mlp hook <name>`. */
export const HOOK_NAMES = ["pre-commit", "pre-merge-commit"] as const;

/** The hook that sees a merge's final message (see pre_merge_commit.ts); used when present. */
export const MESSAGE_HOOK = "commit-msg";

/**
 * Installs the hooks of the project at `root` and returns one line per thing it did.
 *
 * @throws {CheckError} when a hook script is missing.
 */
export async function installHooks(root: string): Promise<string[]> {
  const done: string[] = [];
  for (const name of [...HOOK_NAMES, MESSAGE_HOOK]) {
    const path = join(root, HOOKS_DIR, name);
    let mode: number | null;
    try {
      mode = (await Deno.stat(path)).mode;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      if (name === MESSAGE_HOOK) {
        done.push(
          `no ${HOOKS_DIR}/${MESSAGE_HOOK}: merges are proven by git notes only, not by ` +
            '"MLflow-Run: <id>" in the merge message',
        );
        continue;
      }
      throw new CheckError(`The hook script "${HOOKS_DIR}/${name}" is missing`, {
        hint: `restore it from git (\`git checkout HEAD -- ${HOOKS_DIR}/${name}\`) or from the ` +
          "template (`copier update`); it is two lines: `#!/bin/sh` and " +
          `\`exec mlp hook ${name} "$@"\``,
      });
    }
    if (mode !== null && (mode & 0o111) !== 0o111) {
      await Deno.chmod(path, (mode & 0o7777) | 0o111);
      done.push(`made ${HOOKS_DIR}/${name} executable`);
    }
  }
  await gitRun(root, ["config", "core.hooksPath", HOOKS_DIR]);
  done.push(
    `git config core.hooksPath ${HOOKS_DIR}  (git runs the hooks in ${HOOKS_DIR}/)`,
  );
  await gitRun(root, ["config", "merge.ff", "false"]);
  done.push(
    "git config merge.ff false  (every merge creates a merge commit, so the merge gate runs)",
  );
  return done;
}

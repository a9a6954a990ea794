/**
 * `mlp hooks install`: points git at the project's `.githooks/`, records which mlp the hooks run,
 * and turns off fast-forward merges, because a fast-forward creates no merge commit and so never
 * runs the merge gate.
 *
 * The mlp is recorded as `mlp.path` in the clone's `.git/config`, and the hook scripts read it
 * with `git config --local`: a commit cannot change that file (it is not in the work tree), and
 * `--local` ignores `git -c` and `GIT_CONFIG_*` variables, so neither the project's code nor the
 * environment of one `git commit` chooses what checks it.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CheckError } from "../errors.ts";
import { gitRun } from "../fingerprint/git.ts";
import { sameBytes } from "../drift/drift.ts";
import { listFiles, TEMPLATE_DIR } from "../drift/files.ts";

/** The hooks directory, relative to the project root (the repository's top level). */
export const HOOKS_DIR = ".githooks";

/** The hook scripts a project must have; each execs `<recorded mlp> hook <name>`. */
export const HOOK_NAMES = ["pre-commit", "pre-merge-commit"] as const;

/** The hook that sees a merge's final message (see pre_merge_commit.ts); used when present. */
export const MESSAGE_HOOK = "commit-msg";

/** The git config key, in the clone's local config, that names the mlp the hooks run. */
export const MLP_PATH_KEY = "mlp.path";

/**
 * The absolute path of the mlp now running: the compiled binary itself, or, run from source, the
 * repository's `bin/mlp` launcher (Deno's own path would name the interpreter, not mlp).
 */
export function runningMlp(): string {
  if (Deno.build.standalone) return Deno.execPath();
  return fileURLToPath(new URL("../../bin/mlp", import.meta.url));
}

/**
 * Installs the hooks of the project at `root` and returns one line per thing it did.
 *
 * @throws {CheckError} when a hook script is missing, or `.githooks/` holds a file that is not
 *   the template's (see {@linkcode foreignHooks}).
 */
export async function installHooks(root: string): Promise<string[]> {
  const foreign = await foreignHooks(root);
  if (foreign.length > 0) {
    const what = foreign.length === 1
      ? "a file that is not one of mlp's template's hook scripts"
      : `${foreign.length} files that are not mlp's template's hook scripts`;
    throw new CheckError(
      `${HOOKS_DIR}/ holds ${what}, so the hooks are not installed`,
      {
        details: foreign.map((f) => `${HOOKS_DIR}/${f.name}: ${f.why}`),
        hint: "git runs every script there on its events: restore the template's scripts " +
          `(\`copier update\`, or copy them from mlp: \`cp ${join(TEMPLATE_DIR, HOOKS_DIR)}/* ` +
          `${HOOKS_DIR}/\`), remove any other file (\`git rm -f -- ${HOOKS_DIR}/<name>\`), then ` +
          "run `mlp hooks install` again",
      },
    );
  }
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
          "template (`copier update`); it execs the recorded mlp as " +
          `\`mlp hook ${name} "$@"\``,
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
  const mlp = runningMlp();
  await gitRun(root, ["config", "--local", MLP_PATH_KEY, mlp]);
  done.push(
    `git config ${MLP_PATH_KEY} ${mlp}  (the hooks run this mlp, whatever the environment says)`,
  );
  await gitRun(root, ["config", "merge.ff", "false"]);
  done.push(
    "git config merge.ff false  (every merge creates a merge commit, so the merge gate runs)",
  );
  return done;
}

/** A file of the project's `.githooks/` that is not the template's. */
export interface ForeignHook {
  /** File name inside `.githooks/`. */
  name: string;
  /** What is wrong with it. */
  why: string;
}

/**
 * The files of the project's `.githooks/` that are not byte for byte the hook scripts of the
 * template shipped inside mlp (`template/.githooks/`): a changed script, or a file the template
 * has not (git would run it on its event). Missing scripts are {@linkcode installHooks}'s to
 * report.
 */
export async function foreignHooks(root: string): Promise<ForeignHook[]> {
  const template = join(TEMPLATE_DIR, HOOKS_DIR);
  const shipped = new Set(await listFiles(template));
  const foreign: ForeignHook[] = [];
  for (const name of await listFiles(join(root, HOOKS_DIR))) {
    if (!shipped.has(name)) {
      foreign.push({ name, why: "the template has no such hook" });
      continue;
    }
    const [ours, theirs] = await Promise.all([
      Deno.readFile(join(root, HOOKS_DIR, name)),
      Deno.readFile(join(template, name)),
    ]);
    if (!sameBytes(ours, theirs)) {
      foreign.push({ name, why: `it differs from the template's (${join(template, name)})` });
    }
  }
  return foreign;
}

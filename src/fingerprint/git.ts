/**
 * Running git for mlp: the state of the work tree that every run records (commit, dirty, branch)
 * and reading files as they are at a commit (the merge gate recomputes fingerprints from the
 * merged commit's tree, not from the disk).
 *
 * @module
 */
import { CheckError } from "../errors.ts";
import {
  CODE_DIR,
  flaggedEntries,
  flaggedPaths,
  untrackedCode,
  untrackedCodePaths,
} from "./dirty_rules.ts";
import { parseGitStatus } from "./git_status.ts";

/** The git state a run records. */
export interface GitState {
  /** Full SHA of HEAD. */
  commit: string;
  /**
   * True when any tracked file differs from HEAD, an untracked non-ignored file exists, an index
   * entry is marked assume-unchanged or skip-worktree, or `src/` holds a file git does not track
   * (ignored ones included, Python's own `__pycache__/*.pyc` excepted).
   */
  dirty: boolean;
  /** Why the tree is dirty beyond `git status`: one line per flagged entry or untracked file. */
  dirtyReasons: string[];
  /** Current branch; null when HEAD is detached. */
  branch: string | null;
  /** Paths (repository-relative) of the entries marked assume-unchanged or skip-worktree. */
  flaggedPaths: string[];
  /** Project-relative paths of the files under `src/` git does not track (caches excepted). */
  untrackedCode: string[];
}

/** The raw result of one git invocation. */
export interface GitOutput {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

/**
 * Runs `git <args>` in `root` and returns its exit code and output, whatever the code.
 * Optional locks are off, so a read-only command never writes the index behind the user's back.
 *
 * @throws {CheckError} when git is not installed.
 */
export async function gitOutput(root: string, args: readonly string[]): Promise<GitOutput> {
  const command = new Deno.Command("git", {
    args: ["--no-optional-locks", ...args],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  try {
    const output = await command.output();
    return {
      code: output.code,
      stdout: output.stdout,
      stderr: new TextDecoder().decode(output.stderr).trim(),
    };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new CheckError("git is not on PATH", {
      hint: "install git: mlp records the commit of every run",
    });
  }
}

/**
 * Runs `git <args>` in `root` and returns its stdout as text.
 *
 * @throws {CheckError} when git fails, with its stderr; a directory outside any repository gets
 *   a hint to create one.
 *
 * @example Usage
 * ```ts
 * import { gitRun } from "./git.ts";
 * await gitRun(".", ["rev-parse", "HEAD"]); // => "1a2b…\n"
 * ```
 */
export async function gitRun(root: string, args: readonly string[]): Promise<string> {
  const output = await gitOutput(root, args);
  if (output.code === 0) return new TextDecoder().decode(output.stdout);
  if (/not a git repository/i.test(output.stderr)) {
    throw new CheckError(`"${root}" is not inside a git repository`, {
      hint: "mlp records the commit of every run: `git init` the project and commit it",
    });
  }
  throw new CheckError(`\`git ${args.join(" ")}\` failed with exit code ${output.code}`, {
    details: output.stderr === "" ? [] : output.stderr.split("\n"),
  });
}

/**
 * Returns the commit, dirty flag and branch of the work tree at `root`. `git status` cannot be
 * trusted alone: it skips entries marked assume-unchanged or skip-worktree, and does not list
 * ignored files, which the trainer imports from `src/` all the same. So the index flags
 * (`git ls-files -v`) and every untracked file under `src/` (`git ls-files --others`, without
 * exclude rules) are read too; the three git calls run together.
 *
 * @throws {CheckError} outside a git repository, or in a repository with no commit yet.
 */
export async function gitState(root: string): Promise<GitState> {
  const [statusText, flags, others] = await Promise.all([
    gitRun(root, ["status", "--porcelain=v2", "--branch", "--untracked-files=normal"]),
    // ":/" is the whole repository: the project may be a subdirectory of it.
    gitRun(root, ["ls-files", "-v", "-z", "--full-name", "--", ":/"]),
    gitRun(root, ["ls-files", "-z", "--others", "--", CODE_DIR]),
  ]);
  const status = parseGitStatus(statusText);
  if (status.commit === null) {
    throw new CheckError("The git repository has no commit yet", {
      hint: "every run records the commit it ran at: commit the project first " +
        '(`git add -A && git commit -m "Initial commit"`)',
    });
  }
  const dirtyReasons = [...flaggedEntries(flags), ...untrackedCode(others)];
  return {
    commit: status.commit,
    dirty: status.dirty || dirtyReasons.length > 0,
    branch: status.branch,
    dirtyReasons,
    flaggedPaths: flaggedPaths(flags).map((entry) => entry.path),
    untrackedCode: untrackedCodePaths(others),
  };
}

/**
 * Returns the bytes of `path` (relative to `root`) as it is in `commit`, or null when the
 * commit has no such file.
 *
 * @throws {CheckError} when `commit` does not name a commit.
 */
export async function gitShow(
  root: string,
  commit: string,
  path: string,
): Promise<Uint8Array | null> {
  // "./" makes the path relative to `root`, which may be a subdirectory of the repository.
  const output = await gitOutput(root, ["cat-file", "blob", `${commit}:./${path}`]);
  if (output.code === 0) return output.stdout;
  await resolveCommit(root, commit);
  return null;
}

/**
 * Returns the full SHA of `commit` (any revision git understands).
 *
 * @throws {CheckError} when it does not name a commit in the repository at `root`.
 */
export async function resolveCommit(root: string, commit: string): Promise<string> {
  const output = await gitOutput(root, ["rev-parse", "--verify", "--quiet", `${commit}^{commit}`]);
  if (output.code !== 0) {
    if (/not a git repository/i.test(output.stderr)) await gitRun(root, ["rev-parse"]);
    throw new CheckError(`"${commit}" is not a commit in this repository`, {
      hint: "`git log --oneline` lists the commits; fetch the branch if it is someone else's",
    });
  }
  return new TextDecoder().decode(output.stdout).trim();
}

/**
 * The contents of the objects `requests` name (object IDs or `REV:path` specs), in order, from one
 * `git cat-file --batch`; `null` for a request that names no object. Requests must not contain a
 * newline (the protocol is line-based). Stdin is written while stdout is read, so a large batch
 * cannot deadlock on a full pipe.
 *
 * @throws {CheckError} when git fails.
 */
export async function catFileBatch(
  root: string,
  requests: readonly string[],
): Promise<(Uint8Array | null)[]> {
  if (requests.length === 0) return [];
  const child = new Deno.Command("git", {
    args: ["--no-optional-locks", "cat-file", "--batch"],
    cwd: root,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const [, output] = await Promise.all([
    writer.write(new TextEncoder().encode(requests.map((r) => `${r}\n`).join(""))).then(() =>
      writer.close()
    ),
    child.output(),
  ]);
  if (!output.success) {
    throw new CheckError("`git cat-file --batch` failed", {
      details: [new TextDecoder().decode(output.stderr).trim()],
    });
  }
  const bytes = output.stdout;
  const decoder = new TextDecoder();
  const objects: (Uint8Array | null)[] = [];
  let pos = 0;
  for (let i = 0; i < requests.length; i++) {
    const end = bytes.indexOf(0x0a, pos);
    const header = decoder.decode(bytes.subarray(pos, end));
    pos = end + 1;
    const match = /^[0-9a-f]+ \S+ (\d+)$/.exec(header);
    if (!match) {
      objects.push(null);
      continue;
    }
    const size = Number(match[1]);
    objects.push(bytes.slice(pos, pos + size));
    pos += size + 1;
  }
  return objects;
}

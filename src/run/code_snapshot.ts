/**
 * Taking a run's code snapshot (docs/architecture.md "Code snapshot"): the project code the
 * trainer imports is copied into `.mlp/runs/<dir>/src` at the start of the run and hashed there,
 * so an edit of the live `src/` while the run waits, after the hash was taken, changes nothing the
 * run executes or records. A clean tree is copied from git's objects at HEAD (never from the
 * files, which git may not be comparing: see `src/fingerprint/dirty_rules.ts`); a dirty tree from
 * the working files, with the SHA-256 of its diff against HEAD recorded as `git_diff_hash`.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { CODE_DIR } from "../fingerprint/dirty_rules.ts";
import {
  type CodeEntry,
  EMPTY_DIFF_HASH,
  parseLsTree,
  snapshotEntries,
} from "../fingerprint/code_snapshot.ts";
import { catFileBatch, gitRun, type GitState } from "../fingerprint/git.ts";
import { CheckError } from "../errors.ts";

/** A snapshot written into a run directory. */
export interface CodeSnapshot {
  /** The directory that holds the snapshot's `src/`, relative to the project root. */
  root: string;
  /** The snapshot's `src/`, relative to the project root: the plan's `project_src`. */
  src: string;
  /** `HEAD` for a clean tree, `work tree` for a dirty one. */
  from: "HEAD" | "work tree";
  /** SHA-256 hex of `git diff HEAD --binary` with untracked project files ({@link EMPTY_DIFF_HASH} when clean). */
  diffHash: string;
}

/**
 * Writes the snapshot of `src/` into `<runDir>/src` (files read-only) and returns where it is.
 *
 * @throws {CheckError} for a link that leaves `src/` or an entry that is not a file or link.
 */
export async function takeCodeSnapshot(
  root: string,
  runDir: string,
  git: GitState,
): Promise<CodeSnapshot> {
  const src = `${runDir}/${CODE_DIR}`;
  if (git.dirty) {
    await writeEntries(root, runDir, await workTreeEntries(root));
    const diffHash = await workTreeDiffHash(root, git);
    return { root: runDir, src, from: "work tree", diffHash };
  }
  await writeEntries(root, runDir, await headEntries(root, git.commit));
  return { root: runDir, src, from: "HEAD", diffHash: EMPTY_DIFF_HASH };
}

/** An entry with a way to read its bytes (a link's target text is its `target`). */
type Readable = CodeEntry & { read?: () => Promise<Uint8Array> };

async function workTreeEntries(root: string): Promise<Readable[]> {
  const found: Readable[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(join(root, dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.isSymlink) {
        found.push({ path, kind: "symlink", target: await Deno.readLink(join(root, path)) });
      } else if (entry.isFile) {
        found.push({ path, kind: "file", read: () => Deno.readFile(join(root, path)) });
      } else found.push({ path, kind: "other" });
    }
  };
  try {
    await walk(CODE_DIR);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return snapshotEntries(found) as Readable[];
}

async function headEntries(root: string, commit: string): Promise<Readable[]> {
  const listed = parseLsTree(await gitRun(root, ["ls-tree", "-r", "-z", commit, "--", CODE_DIR]));
  const links = listed.filter((entry) => entry.kind === "symlink");
  const targets = new Map(
    (await catBlobs(root, links.map((entry) => entry.oid)))
      .map((blob, i) => [links[i].path, new TextDecoder().decode(blob)]),
  );
  const taken = snapshotEntries(
    listed.map((entry) =>
      entry.kind === "symlink" ? { ...entry, target: targets.get(entry.path) } : entry
    ),
  ) as (CodeEntry & { oid: string })[];
  const files = taken.filter((entry) => entry.kind === "file");
  const blobs = await catBlobs(root, files.map((entry) => entry.oid));
  const bytes = new Map(files.map((entry, i) => [entry.path, blobs[i]]));
  return taken.map((entry) =>
    entry.kind === "file"
      ? { ...entry, read: () => Promise.resolve(bytes.get(entry.path)!) }
      : entry
  );
}

/** The contents of the blobs `oids`, in order, from one `git cat-file --batch`. */
async function catBlobs(root: string, oids: string[]): Promise<Uint8Array[]> {
  const blobs = await catFileBatch(root, oids);
  return blobs.map((blob, i) => {
    if (blob === null) {
      throw new CheckError(`git has no object "${oids[i]}" while taking the code snapshot`, {
        hint: "run `git fsck`: the repository is missing objects HEAD names",
      });
    }
    return blob;
  });
}

async function writeEntries(root: string, runDir: string, entries: Readable[]): Promise<void> {
  await Deno.mkdir(join(root, runDir, CODE_DIR), { recursive: true });
  for (const entry of entries) {
    const path = join(root, runDir, entry.path);
    await Deno.mkdir(dirname(path), { recursive: true });
    if (entry.kind === "symlink") {
      await Deno.symlink(entry.target!, path);
    } else {
      await Deno.writeFile(path, await entry.read!(), { mode: 0o444 });
      // The mode of a new file is masked by the umask; read-only is meant whatever it is.
      await Deno.chmod(path, 0o444);
    }
  }
}

/**
 * SHA-256 of `git diff --cached --binary HEAD` in a private copy of the index to which every
 * working change has been added (`git add -A`, plus the files under `src/` git ignores or excludes)
 * with the assume-unchanged and skip-worktree flags cleared: the diff a reviewer would need to
 * rebuild the tree that ran, untracked project files included. The real index is not touched.
 */
async function workTreeDiffHash(root: string, git: GitState): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mlp-diff-" });
  try {
    const indexPath =
      (await gitRun(root, ["rev-parse", "--path-format=absolute", "--git-path", "index"]))
        .trim();
    const index = join(dir, "index");
    try {
      await Deno.copyFile(indexPath, index);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const env = { GIT_INDEX_FILE: index };
    const run = async (args: string[], stdin?: string) => {
      const child = new Deno.Command("git", {
        args,
        cwd: root,
        env,
        stdin: stdin === undefined ? "null" : "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      if (stdin !== undefined) {
        const writer = child.stdin.getWriter();
        await writer.write(new TextEncoder().encode(stdin));
        await writer.close();
      }
      const output = await child.output();
      if (!output.success) {
        throw new CheckError(`\`git ${args.join(" ")}\` failed while hashing the diff`, {
          details: [new TextDecoder().decode(output.stderr).trim()],
        });
      }
      return output.stdout;
    };
    const paths = git.flaggedPaths;
    if (paths.length > 0) {
      // `ls-files --full-name` paths are the repository's; the project may be a subdirectory.
      const top = (await gitRun(root, ["rev-parse", "--show-toplevel"])).trim();
      // One flag per call: git applies only one of two such flags given together.
      for (const flag of ["--no-assume-unchanged", "--no-skip-worktree"]) {
        await run(
          ["-C", top, "update-index", "-z", flag, "--stdin"],
          paths.map((path) => `${path}\0`).join(""),
        );
      }
    }
    await run(["add", "-A", "--", ":/"]);
    const untracked = git.untrackedCode;
    if (untracked.length > 0) {
      await run(
        ["add", "-f", "--pathspec-from-file=-", "--pathspec-file-nul"],
        untracked.map((path) => `${path}\0`).join(""),
      );
    }
    const diff = await run([
      "-c",
      "core.quotePath=true",
      "diff",
      "--cached",
      "--binary",
      "--no-color",
      "--no-ext-diff",
      "--no-textconv",
      "--no-renames",
      "--src-prefix=a/",
      "--dst-prefix=b/",
      "HEAD",
    ]);
    return createHash("sha256").update(diff).digest("hex");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

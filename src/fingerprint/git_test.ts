import assert from "node:assert/strict";
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import { gitRun, gitShow, gitState, resolveCommit } from "./git.ts";

const ENV = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.test",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.test",
};

async function git(root: string, ...args: string[]): Promise<string> {
  const output = await new Deno.Command("git", { args, cwd: root, env: ENV }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return new TextDecoder().decode(output.stdout).trim();
}

async function withRepo(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "mlp-git-" });
  try {
    await git(root, "init", "-q", "-b", "main");
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function refusal(promise: Promise<unknown>): Promise<CheckError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CheckError) return error;
    throw error;
  }
  assert.fail("expected a CheckError");
}

Deno.test("gitState() reports commit, branch and dirtiness of a real repository", async () => {
  await withRepo(async (root) => {
    const noCommit = await refusal(gitState(root));
    assert.equal(noCommit.message, "The git repository has no commit yet");

    await Deno.writeTextFile(join(root, ".gitignore"), ".mlp/\n");
    await Deno.writeTextFile(join(root, "a.txt"), "one\n");
    await git(root, "add", "-A");
    await git(root, "commit", "-q", "-m", "first");
    const commit = await git(root, "rev-parse", "HEAD");
    assert.deepEqual(await gitState(root), { commit, dirty: false, branch: "main" });

    // Ignored files never make the tree dirty; untracked and modified ones do.
    await Deno.mkdir(join(root, ".mlp"));
    await Deno.writeTextFile(join(root, ".mlp/scratch"), "x");
    assert.equal((await gitState(root)).dirty, false);
    await Deno.writeTextFile(join(root, "new.txt"), "x");
    assert.equal((await gitState(root)).dirty, true);
    await Deno.remove(join(root, "new.txt"));
    await Deno.writeTextFile(join(root, "a.txt"), "two\n");
    assert.equal((await gitState(root)).dirty, true);
    await git(root, "add", "a.txt");
    assert.equal((await gitState(root)).dirty, true);

    await git(root, "checkout", "-q", "--detach", "HEAD");
    assert.equal((await gitState(root)).branch, null);
  });
});

Deno.test("gitState() refuses a directory outside any repository", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const error = await refusal(gitState(dir));
    assert.equal(error.message, `"${dir}" is not inside a git repository`);
    assert.equal(
      error.hint,
      "mlp records the commit of every run: `git init` the project and commit it",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gitShow() reads a file at a commit, null when absent, and refuses unknown commits", async () => {
  await withRepo(async (root) => {
    await Deno.mkdir(join(root, "project/src"), { recursive: true });
    await Deno.writeTextFile(join(root, "project/src/features.py"), "v1\n");
    await git(root, "add", "-A");
    await git(root, "commit", "-q", "-m", "first");
    const first = await git(root, "rev-parse", "HEAD");
    await Deno.writeTextFile(join(root, "project/src/features.py"), "v2\n");

    // Paths are relative to the project, which may be a subdirectory of the repository.
    const project = join(root, "project");
    const bytes = await gitShow(project, first, "src/features.py");
    assert.equal(new TextDecoder().decode(bytes!), "v1\n");
    assert.equal(await gitShow(project, first, "src/missing.py"), null);
    assert.equal(await gitShow(project, first, "src"), null);
    assert.equal(await resolveCommit(project, "HEAD"), first);
    const unknown = await refusal(gitShow(project, "f".repeat(40), "src/features.py"));
    assert.equal(unknown.message, `"${"f".repeat(40)}" is not a commit in this repository`);
  });
});

Deno.test("gitRun() reports a failing command with its stderr", async () => {
  await withRepo(async (root) => {
    const error = await refusal(gitRun(root, ["rev-parse", "--verify", "no-such-ref"]));
    assert.equal(error.message, "`git rev-parse --verify no-such-ref` failed with exit code 128");
    assert.deepEqual(error.details, ["fatal: Needed a single revision"]);
  });
});

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
    assert.deepEqual(await gitState(root), {
      commit,
      dirty: false,
      branch: "main",
      dirtyReasons: [],
      flaggedPaths: [],
      untrackedCode: [],
    });

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

/** A committed project: features.py and model.py under src/, a .gitignore like the template's. */
async function withProject(fn: (root: string) => Promise<void>): Promise<void> {
  await withRepo(async (root) => {
    await Deno.mkdir(join(root, "src"));
    await Deno.writeTextFile(join(root, ".gitignore"), "__pycache__/\n.mlp/\n");
    await Deno.writeTextFile(
      join(root, "src/features.py"),
      "def build_features(df, p):\n    return df\n",
    );
    await Deno.writeTextFile(join(root, "src/model.py"), "def build_model(p):\n    return None\n");
    await git(root, "add", "-A");
    await git(root, "commit", "-q", "-m", "project");
    assert.equal((await gitState(root)).dirty, false);
    await fn(root);
  });
}

Deno.test("gitState() does not trust assume-unchanged: the flagged file makes the tree dirty", async () => {
  await withProject(async (root) => {
    await git(root, "update-index", "--assume-unchanged", "src/features.py");
    await Deno.writeTextFile(join(root, "src/features.py"), "import os\nos.system('curl x')\n");
    // git itself no longer sees the change.
    assert.equal(await git(root, "status", "--porcelain"), "");
    const state = await gitState(root);
    assert.equal(state.dirty, true);
    assert.deepEqual(state.dirtyReasons, ['"src/features.py" is marked assume-unchanged']);
  });
});

Deno.test("gitState() does not trust skip-worktree: the flagged file makes the tree dirty", async () => {
  await withProject(async (root) => {
    await git(root, "update-index", "--skip-worktree", "src/model.py");
    await Deno.writeTextFile(join(root, "src/model.py"), "def build_model(p):\n    return 1\n");
    assert.equal(await git(root, "status", "--porcelain"), "");
    const state = await gitState(root);
    assert.equal(state.dirty, true);
    assert.deepEqual(state.dirtyReasons, ['"src/model.py" is marked skip-worktree']);
  });
});

Deno.test("gitState() counts ignored and excluded files under src/ as dirty, Python's caches not", async () => {
  await withProject(async (root) => {
    // What pytest or an unsandboxed import leaves is not project code.
    await Deno.mkdir(join(root, "src/__pycache__"));
    await Deno.writeTextFile(join(root, "src/__pycache__/features.cpython-311.pyc"), "x");
    await Deno.writeTextFile(
      join(root, "src/__pycache__/conftest.cpython-311-pytest-9.2.0.pyc"),
      "x",
    );
    assert.deepEqual((await gitState(root)).dirtyReasons, []);
    assert.equal((await gitState(root)).dirty, false);

    // Excluded by .git/info/exclude: git status is silent, the trainer imports it.
    await Deno.writeTextFile(join(root, ".git/info/exclude"), "helpers.py\n");
    await Deno.writeTextFile(join(root, "src/helpers.py"), "X = 1\n");
    assert.equal(await git(root, "status", "--porcelain"), "");
    assert.deepEqual((await gitState(root)).dirtyReasons, [
      '"src/helpers.py" is not tracked by git',
    ]);
    await Deno.remove(join(root, "src/helpers.py"));

    // A sourceless .pyc next to the sources is importable, ignored or not.
    await Deno.writeTextFile(join(root, ".gitignore"), "__pycache__/\n.mlp/\n*.pyc\n");
    await git(root, "commit", "-q", "-am", "ignore pyc");
    await Deno.writeTextFile(join(root, "src/util.pyc"), "x");
    assert.equal(await git(root, "status", "--porcelain"), "");
    assert.deepEqual((await gitState(root)).dirtyReasons, ['"src/util.pyc" is not tracked by git']);
    await Deno.remove(join(root, "src/util.pyc"));

    // A cache file with an importable name (`import __pycache__.evil`) counts.
    await Deno.writeTextFile(join(root, "src/__pycache__/evil.pyc"), "x");
    assert.deepEqual((await gitState(root)).dirtyReasons, [
      '"src/__pycache__/evil.pyc" is not tracked by git',
    ]);
    await Deno.remove(join(root, "src/__pycache__/evil.pyc"));

    // Ignored files outside src/ are not on the trainer's import path.
    await Deno.mkdir(join(root, ".mlp"));
    await Deno.writeTextFile(join(root, ".mlp/notes.py"), "x");
    assert.equal((await gitState(root)).dirty, false);
  });
});

Deno.test("gitState() reads flags of the whole repository when the project is a subdirectory", async () => {
  await withRepo(async (root) => {
    await Deno.mkdir(join(root, "project/src"), { recursive: true });
    await Deno.writeTextFile(join(root, "project/src/features.py"), "v1\n");
    await Deno.writeTextFile(join(root, "shared.py"), "v1\n");
    await git(root, "add", "-A");
    await git(root, "commit", "-q", "-m", "first");
    await git(root, "update-index", "--assume-unchanged", "shared.py");
    const state = await gitState(join(root, "project"));
    assert.deepEqual(state.dirtyReasons, ['"shared.py" is marked assume-unchanged']);
  });
});

Deno.test("gitState() stays fast on a project with 1000 files under src/", async () => {
  await withProject(async (root) => {
    for (let i = 0; i < 1000; i++) {
      await Deno.writeTextFile(join(root, `src/m${i}.py`), `X = ${i}\n`);
    }
    await git(root, "add", "-A");
    await git(root, "commit", "-q", "-m", "many");
    const started = performance.now();
    assert.equal((await gitState(root)).dirty, false);
    const elapsed = performance.now() - started;
    console.log(`gitState() on 1000 files: ${elapsed.toFixed(0)} ms`);
    assert.ok(elapsed < 2000, `gitState() took ${elapsed.toFixed(0)} ms`);
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

import assert from "node:assert/strict";
import { join } from "node:path";
import { diskCode, gitCode, projectCodeHash } from "./code_hash.ts";
import { sha256, withFiles } from "./testing.ts";

const FILES: Record<string, string> = {
  "src/features.py": "def build_features(df, p):\n    return df\n",
  "src/model.py": "def build_model(p):\n    return None\n",
  "src/helpers/__init__.py": "",
  "src/helpers/scale.py": "K = 1\n",
  "src/__pycache__/model.cpython-311.pyc": "cache",
  "README.md": "# project\n",
  "configs/experiment.yaml": "model_type: xgboost\n",
};

async function git(root: string, ...args: string[]): Promise<string> {
  const output = await new Deno.Command("git", {
    args,
    cwd: root,
    env: {
      GIT_AUTHOR_NAME: "T",
      GIT_AUTHOR_EMAIL: "t@example.test",
      GIT_COMMITTER_NAME: "T",
      GIT_COMMITTER_EMAIL: "t@example.test",
    },
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return new TextDecoder().decode(output.stdout).trim();
}

Deno.test("projectCodeHash() hashes every file under src/ but Python's caches, in the documented format", async () => {
  await withFiles(FILES, async (root) => {
    const result = await projectCodeHash(diskCode(root));
    const files = [
      "src/features.py",
      "src/helpers/__init__.py",
      "src/helpers/scale.py",
      "src/model.py",
    ];
    assert.deepEqual(result.files, files);
    assert.equal(
      result.hash,
      sha256(files.map((file) => `${file}\0${sha256(FILES[file])}\n`).join("")),
    );
  });
});

Deno.test("projectCodeHash() changes with model.py and any file under src/, not with files elsewhere", async () => {
  await withFiles(FILES, async (root) => {
    const hash = async () => (await projectCodeHash(diskCode(root))).hash;
    const base = await hash();
    const changed = async (path: string, text: string | null) => {
      const before = await Deno.readTextFile(join(root, path)).catch(() => null);
      if (text === null) await Deno.remove(join(root, path));
      else await Deno.writeTextFile(join(root, path), text);
      const after = await hash();
      if (before === null) await Deno.remove(join(root, path));
      else await Deno.writeTextFile(join(root, path), before);
      return after;
    };
    assert.notEqual(await changed("src/model.py", "def build_model(p):\n    return 1\n"), base);
    assert.notEqual(await changed("src/helpers/scale.py", "K = 2\n"), base);
    assert.notEqual(await changed("src/helpers/scale.py", null), base);
    assert.notEqual(await changed("src/unused.py", "Z = 1\n"), base);
    assert.notEqual(await changed("src/helpers.pyc", "sourceless"), base);
    assert.notEqual(await changed("src/__pycache__/evil.pyc", "importable"), base);
    assert.equal(await changed("src/__pycache__/model.cpython-311.pyc", "stale"), base);
    assert.equal(await changed("README.md", "# changed\n"), base);
    assert.equal(await changed("configs/experiment.yaml", "model_type: lightgbm\n"), base);
    assert.equal(await hash(), base);
  });
});

Deno.test("projectCodeHash() of a commit's tree equals the disk's at that commit, links included", async () => {
  await withFiles(FILES, async (dir) => {
    // The project is a subdirectory of the repository.
    const root = join(dir, "project");
    await Deno.mkdir(root);
    for (const entry of ["src", "README.md", "configs"]) {
      await Deno.rename(join(dir, entry), join(root, entry));
    }
    await Deno.remove(join(root, "src/__pycache__"), { recursive: true });
    await Deno.symlink("helpers/scale.py", join(root, "src/alias.py"));
    await git(dir, "init", "-q");
    await git(dir, "add", "-A");
    await git(dir, "commit", "-q", "-m", "project");
    const onDisk = await projectCodeHash(diskCode(root));
    assert.ok(onDisk.files.includes("src/alias.py"));
    assert.deepEqual(await projectCodeHash(gitCode(root, "HEAD")), onDisk);

    await Deno.writeTextFile(join(root, "src/model.py"), "changed\n");
    assert.deepEqual(await projectCodeHash(gitCode(root, "HEAD")), onDisk);
    assert.notEqual((await projectCodeHash(diskCode(root))).hash, onDisk.hash);
  });
});

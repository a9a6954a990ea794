import assert from "node:assert/strict";
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import { diskReader, featurePipelineHash, gitTreeReader } from "./feature_hash.ts";
import { sha256, withFiles } from "./testing.ts";

const FEATURES = [
  '"""Features. import not_this"""',
  "import numpy as np",
  "from helpers import scale",
  "from pkg.sub import thing",
  "",
].join("\n");

const FILES: Record<string, string> = {
  "src/features.py": FEATURES,
  "src/helpers.py": "from . import nothing_at_top\nimport util\n",
  "src/util.py": "X = 1\n",
  "src/pkg/__init__.py": "",
  "src/pkg/sub/__init__.py": "from .thing import y\n",
  "src/pkg/sub/thing.py": "y = 2\n",
  "src/unused.py": "Z = 3\n",
  "src/model.py": "import helpers\n",
};

const SECTION = { lags: [1, 7], scale: { method: "robust", clip: 3 } };

Deno.test("featurePipelineHash() hashes the import closure of features.py in the documented format", async () => {
  await withFiles(FILES, async (root) => {
    const result = await featurePipelineHash(diskReader(root), SECTION);
    const files = [
      "src/features.py",
      "src/helpers.py",
      "src/pkg/__init__.py",
      "src/pkg/sub/__init__.py",
      "src/pkg/sub/thing.py",
      "src/util.py",
    ];
    assert.deepEqual(result.files, files);
    const expected = files.map((file) => `${file}\0${sha256(FILES[file])}\n`).join("") +
      'features\0{"lags":[1,7],"scale":{"method":"robust","clip":3}}';
    assert.equal(result.hash, sha256(expected));
    // Deterministic.
    assert.equal((await featurePipelineHash(diskReader(root), SECTION)).hash, result.hash);
  });
});

Deno.test("featurePipelineHash() changes with features.py, an imported module and the section", async () => {
  await withFiles(FILES, async (root) => {
    const base = (await featurePipelineHash(diskReader(root), SECTION)).hash;
    const changed = async (path: string, text: string) => {
      const before = await Deno.readTextFile(join(root, path));
      await Deno.writeTextFile(join(root, path), text);
      const hash = (await featurePipelineHash(diskReader(root), SECTION)).hash;
      await Deno.writeTextFile(join(root, path), before);
      return hash;
    };
    assert.notEqual(await changed("src/features.py", FEATURES + "# tweak\n"), base);
    assert.notEqual(await changed("src/util.py", "X = 2\n"), base);
    assert.notEqual(await changed("src/pkg/sub/thing.py", "y = 3\n"), base);
    assert.equal(await changed("src/unused.py", "Z = 4\n"), base);
    assert.equal(await changed("src/model.py", "import util\n"), base);
    assert.notEqual(
      (await featurePipelineHash(diskReader(root), { ...SECTION, lags: [1] })).hash,
      base,
    );
    // build_features receives the keys in the config's order, and the order can change its
    // result (the order of the columns it makes), so the order is hashed too.
    assert.notEqual(
      (await featurePipelineHash(diskReader(root), { scale: SECTION.scale, lags: [1, 7] })).hash,
      base,
    );
    assert.notEqual(
      (await featurePipelineHash(diskReader(root), {
        lags: [1, 7],
        scale: { clip: 3, method: "robust" },
      })).hash,
      base,
    );
    assert.equal(
      (await featurePipelineHash(diskReader(root), undefined)).hash,
      (await featurePipelineHash(diskReader(root), null)).hash,
    );
  });
});

Deno.test("featurePipelineHash() refuses a project without src/features.py", async () => {
  const root = await Deno.makeTempDir();
  try {
    await assert.rejects(featurePipelineHash(diskReader(root), {}), (error: unknown) => {
      assert.ok(error instanceof CheckError);
      assert.equal(error.message, '"src/features.py" does not exist');
      return true;
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("gitTreeReader() agrees with diskReader() on a committed tree, and sees the commit, not the disk", async () => {
  await withFiles(FILES, async (root) => {
    const git = async (...args: string[]) => {
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
    };
    await git("init", "-q");
    await git("add", "-A");
    await git("commit", "-q", "-m", "features");
    const commit = await git("rev-parse", "HEAD");
    const onDisk = await featurePipelineHash(diskReader(root), SECTION);
    const atCommit = await featurePipelineHash(gitTreeReader(root, commit), SECTION);
    assert.deepEqual(atCommit, onDisk);

    await Deno.writeTextFile(join(root, "src/util.py"), "X = 99\n");
    assert.deepEqual(await featurePipelineHash(gitTreeReader(root, commit), SECTION), onDisk);
    assert.notEqual((await featurePipelineHash(diskReader(root), SECTION)).hash, onDisk.hash);
  });
});

/**
 * What ran is what is recorded (issue 7, item 3): the trainer imports project code from the
 * snapshot mlp took and hashed at the start of the run, never from the live `src/`; dirty
 * detection does not trust git's index flags or ignore rules. One project, real git, uv, MLflow.
 */
import { equal, match, notEqual, ok } from "node:assert/strict";
import { join } from "node:path";
import { diskCode, gitCode, projectCodeHash } from "../../src/fingerprint/code_hash.ts";
import { EMPTY_DIFF_HASH } from "../../src/fingerprint/code_snapshot.ts";
import { createProject, MLP_ROOT, testEnv } from "../support/project.ts";
import { Spawned } from "../support/spawned.ts";

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

/** Feature code that fails the run if it is ever imported. */
const HOSTILE = 'raise SystemExit("the live src/features.py ran")\n';

Deno.test("mlp run trains and records the code snapshot it hashed", async (t) => {
  const project = await createProject({ rows: 1500 });
  const { root } = project;
  const headHash = (await projectCodeHash(gitCode(root, "HEAD"))).hash;
  const original = await Deno.readTextFile(join(root, "src/features.py"));

  await t.step(
    "features.py swapped after the snapshot: the snapshot runs and is recorded",
    async () => {
      const run = new Spawned(join(MLP_ROOT, "bin/mlp"), ["run"], root, testEnv());
      const [line] = await run.waitFor(/^mlp: code snapshot [0-9a-f]{12} taken from HEAD$/);
      await Deno.writeTextFile(join(root, "src/features.py"), HOSTILE);
      const status = await run.status();
      await Deno.writeTextFile(join(root, "src/features.py"), original);
      equal(status.code, 0, run.lines.join("\n"));
      equal(line, `mlp: code snapshot ${headHash.slice(0, 12)} taken from HEAD`);
      const recorded = await project.readRun(lastLine(await run.stdout));
      equal(recorded.status, "FINISHED");
      equal(recorded.params.git_dirty, "false");
      equal(recorded.params.project_code_hash, headHash);
      equal(recorded.params.git_diff_hash, EMPTY_DIFF_HASH);
      // FINISHED runs leave no run directory: the read-only snapshot was removed with it.
      equal(
        [...Deno.readDirSync(join(root, ".mlp/runs"))].filter((e) => !e.name.startsWith("."))
          .length,
        0,
      );
    },
  );

  await t.step("a dirty tree runs its working files and records their diff hash", async () => {
    await Deno.writeTextFile(
      join(root, "src/features.py"),
      original + "\n# an uncommitted change\n",
    );
    const out = await project.mlp(["run"]);
    equal(out.code, 0, out.stderr);
    const live = (await projectCodeHash(diskCode(root))).hash;
    match(
      out.stderr,
      new RegExp(`mlp: code snapshot ${live.slice(0, 12)} taken from the work tree \\(dirty\\)`),
    );
    const recorded = await project.readRun(lastLine(out.stdout));
    equal(recorded.params.git_dirty, "true");
    equal(recorded.params.project_code_hash, live);
    match(recorded.params.git_diff_hash, /^[0-9a-f]{64}$/);
    notEqual(recorded.params.git_diff_hash, EMPTY_DIFF_HASH);
    await project.git(["checkout", "--", "src/features.py"]);
  });

  await t.step("a symbolic link out of src/ is refused, naming the link and the fix", async () => {
    await Deno.symlink("../configs/experiment.yaml", join(root, "src/settings.py"));
    const before = (await project.runs()).length;
    const out = await project.mlp(["run"]);
    await Deno.remove(join(root, "src/settings.py"));
    equal(out.code, 1, out.stderr);
    match(
      out.stderr,
      /"src\/settings\.py" is a symbolic link to "\.\.\/configs\/experiment\.yaml", outside src\//,
    );
    match(out.stderr, /replace the link with the file itself/);
    equal((await project.runs()).length, before);
  });

  await t.step(
    "skip-worktree and an excluded module features.py imports: dirty, and what ran is hashed",
    async () => {
      await project.git(["update-index", "--skip-worktree", "src/model.py"]);
      await project.edit("src/model.py", /$/, "\n# a change git status does not show\n");
      await Deno.writeTextFile(join(root, ".git/info/exclude"), "src/helpers.py\n");
      await Deno.writeTextFile(join(root, "src/helpers.py"), "SCALE = 2\n");
      await Deno.writeTextFile(
        join(root, "src/features.py"),
        original + "\nimport helpers  # noqa: E402, F401\n",
      );
      await project.git(["update-index", "--assume-unchanged", "src/features.py"]);
      equal((await project.git(["status", "--porcelain"])).stdout, "");
      const out = await project.mlp(["run"]);
      equal(out.code, 0, out.stderr);
      match(out.stderr, /mlp: dirty: "src\/model\.py" is marked skip-worktree/);
      match(out.stderr, /mlp: dirty: "src\/features\.py" is marked assume-unchanged/);
      match(out.stderr, /mlp: dirty: "src\/helpers\.py" is not tracked by git/);
      const recorded = await project.readRun(lastLine(out.stdout));
      equal(recorded.params.git_dirty, "true");
      equal(recorded.params.project_code_hash, (await projectCodeHash(diskCode(root))).hash);
      notEqual(recorded.params.git_diff_hash, EMPTY_DIFF_HASH);
      // One flag per call: git applies only one of two such flags given together.
      await project.git(["update-index", "--no-skip-worktree", "src/model.py"]);
      await project.git(["update-index", "--no-assume-unchanged", "src/features.py"]);
      await project.git(["checkout", "--", "src/model.py", "src/features.py"]);
      await Deno.remove(join(root, "src/helpers.py"));
      await Deno.writeTextFile(join(root, ".git/info/exclude"), "");
    },
  );

  await t.step("a stale .pyc that Python would trust is never used", async () => {
    // Bytecode of hostile code under the header of the real source (its mtime and size): Python's
    // own loader would run it instead of features.py.
    await project.python(`
import importlib.util, json, os, pathlib
src = pathlib.Path("src/features.py")
st = os.stat(src)
code = compile(${JSON.stringify(HOSTILE)}, str(src), "exec")
from importlib._bootstrap_external import _code_to_timestamp_pyc
cache = pathlib.Path(importlib.util.cache_from_source(str(src)))
cache.parent.mkdir(exist_ok=True)
cache.write_bytes(_code_to_timestamp_pyc(code, int(st.st_mtime), st.st_size))
print(json.dumps(str(cache)))
`);
    const out = await project.mlp(["run"]);
    equal(out.code, 0, out.stderr);
    const recorded = await project.readRun(lastLine(out.stdout));
    equal(recorded.status, "FINISHED");
    equal(recorded.params.git_dirty, "false");
    equal(recorded.params.project_code_hash, headHash);
    ok(!out.stderr.includes("the live src/features.py ran"));
  });
});

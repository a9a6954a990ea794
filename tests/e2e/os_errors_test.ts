/**
 * Operating-system refusals end to end (issue 6): a full file system (ENOSPC), a read-only one
 * (EROFS) and a permission error (EACCES, EPERM) exit 1 naming the path and the fix, in every
 * command; a run whose disk fills ends FAILED with that reason, or says that its store could not
 * be written. The file systems are real: each mlp runs in its own mount namespace (the tests run
 * as root), so its tmpfs and read-only mounts vanish with it.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  createProject,
  exec,
  MLP_ROOT,
  type Output,
  type TestProject,
} from "../support/project.ts";

const RUN_ID = /[0-9a-f]{32}/;

/** What mlp printed and returned, and what `inspect` saw before the mounts vanished. */
interface Mounted extends Output {
  seen: string;
}

/**
 * Runs `bin/mlp args` in the project inside a private mount namespace: `setup` (sh, in the project
 * root) makes the mounts; `inspect` (sh) runs after mlp, still inside, and its output is `seen`.
 */
async function mlpUnderMounts(
  project: TestProject,
  setup: string,
  args: string[],
  options: { inspect?: string; env?: Record<string, string> } = {},
): Promise<Mounted> {
  const seen = join(await Deno.makeTempDir({ prefix: "mlp-os-errors-" }), "seen");
  const script = `set -e\n${setup}\nset +e\n"$@"\ncode=$?\n` +
    `{ ${options.inspect ?? ":"}\n} >"$MLP_SEEN" 2>&1\nexit $code`;
  const out = await exec(
    "unshare",
    ["--mount", "--propagation", "private", "sh", "-c", script, "sh", join(MLP_ROOT, "bin/mlp")]
      .concat(args),
    project.root,
    { ...options.env, MLP_SEEN: seen },
  );
  return { ...out, seen: await Deno.readTextFile(seen).catch(() => "") };
}

/** Runs `bin/mlp args` as root without the capabilities that bypass file permissions. */
function mlpWithoutOverride(project: TestProject, args: string[]): Promise<Output> {
  return exec(
    "setpriv",
    ["--bounding-set=-dac_override,-dac_read_search", join(MLP_ROOT, "bin/mlp"), ...args],
    project.root,
  );
}

const ADD_AGAIN = "then run `mlp data add` again; nothing was stored and no partial copy is left";

Deno.test("mlp data add and mlp schema refuse a full, read-only or forbidden file system with exit 1", async (t) => {
  const project = await createProject({ rows: 1000 });
  const { root } = project;
  const shadow = join(root, "data/shadow");
  const listing = () => [...Deno.readDirSync(shadow)].map((entry) => entry.name).sort();
  const before = listing();
  const big = join(root, "..", "big.csv");
  await Deno.writeTextFile(big, "id,amount\n" + "1234567,89.5\n".repeat(40_000));

  await t.step("ENOSPC mid-copy: data/shadow/ is left empty", async () => {
    const out = await mlpUnderMounts(
      project,
      "mount -t tmpfs -o size=300k tmpfs data/shadow",
      ["data", "add", big],
      { inspect: "ls -A data/shadow" },
    );
    equal(out.code, 1, out.stderr);
    equal(out.stdout, "");
    match(
      out.stderr,
      new RegExp(
        '^error: The file system holding "data/shadow" is full\n' +
          `  - No space left on device \\(os error 28\\): copy '${escape(big)}' -> ` +
          `'${escape(shadow)}/\\.staging-[^/]+/big\\.csv'\n` +
          `hint: free space there \\(or move the project\\), ${escape(ADD_AGAIN)}\n$`,
      ),
    );
    equal(out.seen, "");
  });

  await t.step("EROFS: the store is read-only", async () => {
    const out = await mlpUnderMounts(project, "mount --bind -o ro data data", ["data", "add", big]);
    deepEqual(out, {
      code: 1,
      stdout: "",
      stderr: 'error: The file system holding "data/shadow" is read-only\n' +
        "  - Read-only file system (os error 30): tmpdir\n" +
        `hint: remount it read-write or move the project to a writable disk, ${ADD_AGAIN}\n`,
      seen: "",
    });
    deepEqual(listing(), before);
  });

  await t.step("EACCES: data/shadow/ belongs to another user", async () => {
    await Deno.chown(shadow, 65534, 65534);
    try {
      deepEqual(await mlpWithoutOverride(project, ["data", "add", big]), {
        code: 1,
        stdout: "",
        stderr: 'error: Permission denied on "data/shadow"\n' +
          "  - Permission denied (os error 13): tmpdir\n" +
          'hint: "data/shadow" belongs to uid 65534 (mode 0755): run mlp as that user, or take ' +
          `it over (\`sudo chown -R "$(id -u)" "data/shadow"\`), ${ADD_AGAIN}\n`,
      });
    } finally {
      await Deno.chown(shadow, 0, 0);
    }
    deepEqual(listing(), before);
  });

  await t.step("EPERM: data/shadow/ is immutable", async () => {
    await exec("chattr", ["+i", shadow], root);
    try {
      deepEqual(await project.mlp(["data", "add", big]), {
        code: 1,
        stdout: "",
        stderr: 'error: Operation not permitted on "data/shadow"\n' +
          "  - Operation not permitted (os error 1): tmpdir\n" +
          'hint: it may be immutable or append-only: `lsattr -d "data/shadow"` shows an "i" or ' +
          '"a" flag, `sudo chattr -i -a "data/shadow"` clears them; else check its owner (uid 0, ' +
          `mode 0755), ${ADD_AGAIN}\n`,
      });
    } finally {
      await exec("chattr", ["-i", shadow], root);
    }
    deepEqual(listing(), before);
  });

  const schemaFile = join(root, "configs/experiment.schema.json");
  await t.step("mlp schema: EROFS on configs/", async () => {
    const out = await mlpUnderMounts(project, "mount --bind -o ro configs configs", ["schema"]);
    deepEqual(out, {
      code: 1,
      stdout: "",
      stderr: `error: The file system holding "${schemaFile}" is read-only\n` +
        `  - Read-only file system (os error 30): writefile '${schemaFile}'\n` +
        "hint: remount it read-write or move the project to a writable disk, then run " +
        "`mlp schema` again\n",
      seen: "",
    });
  });

  await t.step("mlp schema: EACCES on a schema file of another user", async () => {
    await Deno.chown(schemaFile, 65534, 65534);
    try {
      deepEqual(await mlpWithoutOverride(project, ["schema"]), {
        code: 1,
        stdout: "",
        stderr: `error: Permission denied on "${schemaFile}"\n` +
          `  - Permission denied (os error 13): writefile '${schemaFile}'\n` +
          `hint: "${schemaFile}" belongs to uid 65534 (mode 0644): run mlp as that user, or take ` +
          `it over (\`sudo chown -R "$(id -u)" "${schemaFile}"\`), then run \`mlp schema\` again\n`,
      });
    } finally {
      await Deno.chown(schemaFile, 0, 0);
    }
  });
});

/** src/features.py, extended to fill the file system of the trainer's scratch directory. */
const FILL_SCRATCH = `

def _fill_the_disk() -> None:
    import os

    fd = os.open(os.path.join(os.environ["TMPDIR"], "filler"), os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, bytes(65536))
    except OSError:
        pass
    finally:
        os.close(fd)


_build_features = build_features


def build_features(df, params):
    _fill_the_disk()
    return _build_features(df, params)
`;

Deno.test("mlp run: a full or read-only disk ends the run FAILED with the reason, or says the store could not be written", async (t) => {
  const project = await createProject({ rows: 1000 });
  const { root } = project;
  const noTraceback = (out: Output) => ok(!out.stderr.includes("Traceback"), out.stderr);

  await t.step("EROFS on .mlp/ before the run: exit 1, nothing recorded", async () => {
    const out = await mlpUnderMounts(project, "mount --bind -o ro .mlp .mlp", ["run"]);
    equal(out.code, 1, out.stderr);
    equal(out.stdout, "");
    match(
      out.stderr,
      new RegExp(
        `\nerror: The file system holding "${escape(root)}/\\.mlp/runs" is read-only\n` +
          `  - Read-only file system \\(os error 30\\): mkdir '${escape(root)}/\\.mlp/runs'\n` +
          "hint: remount it read-write or move the project to a writable disk, then run " +
          "`mlp run` again\n$",
      ),
    );
    equal(await Deno.stat(join(root, "mlflow.db")).catch(() => null), null);
  });

  await t.step("ENOSPC writing the platform code: exit 1, no half-written copy left", async () => {
    const out = await mlpUnderMounts(project, "mount -t tmpfs -o size=16k tmpfs .mlp", ["run"], {
      inspect: "ls -A .mlp/platform",
    });
    equal(out.code, 1, out.stderr);
    match(
      out.stderr,
      new RegExp(
        `\nerror: The file system holding "${escape(root)}/\\.mlp/platform/\\.tmp-[^/]+/` +
          // Whichever file of the package (a module or a contract file) fills the disk.
          'mlp_platform/[a-z_.]+\\.(?:py|json)" is full\n' +
          "  - No space left on device \\(os error 28\\): writefile '[^']+'\n" +
          "hint: free space there \\(or move the project\\), then run `mlp run` again\n$",
      ),
    );
    equal(out.seen, "");
    equal(await Deno.stat(join(root, "mlflow.db")).catch(() => null), null);
  });

  await t.step(
    "EROFS on the store: refused before any project code, nothing recorded",
    async () => {
      const out = await mlpUnderMounts(
        project,
        `mount --bind -o ro "$PWD" "$PWD"\nmount -t tmpfs tmpfs .mlp`,
        ["run"],
      );
      equal(out.code, 1, out.stderr);
      noTraceback(out);
      match(
        out.stderr,
        new RegExp(
          `\nerror: The MLflow store "sqlite:///mlflow\\.db" cannot record the ` +
            'run: the file system holding "mlflow\\.db" is read-only\n' +
            "hint: remount it read-write or move the project to a writable disk, then run " +
            "`mlp run` again; nothing was recorded and no project code ran\n$",
        ),
      );
      equal(await Deno.stat(join(root, "mlflow.db")).catch(() => null), null);
    },
  );

  await project.edit("src/features.py", /$/, FILL_SCRATCH);

  await t.step(
    "ENOSPC in the trainer: FAILED, the run's error names the full scratch",
    async () => {
      const out = await mlpUnderMounts(project, "mount -t tmpfs -o size=2m tmpfs .mlp", ["run"]);
      equal(out.code, 1, out.stderr);
      noTraceback(out);
      const runId = out.stdout.trim();
      match(runId, new RegExp(`^${RUN_ID.source}$`));
      const reason = new RegExp(
        'the file system holding "\\.mlp/runs/[^/"]+/scratch" is full: free space there \\(or ' +
          "move the project\\), then run `mlp run` again",
      );
      match(out.stderr, new RegExp(`\nerror: Run ${runId} FAILED: ${reason.source}\n`));
      const run = await project.readRun(runId);
      equal(run.status, "FAILED");
      ok(run.artifacts.includes("error/traceback.txt"), run.artifacts.join(", "));
      const traceback = await Deno.readTextFile(
        join(root, "mlartifacts", runId, "artifacts/error/traceback.txt"),
      );
      match(traceback.trimEnd().split("\n").at(-1)!, new RegExp(`^${reason.source}$`));
    },
  );

  await project.edit("src/features.py", FILL_SCRATCH, "");

  await t.step("ENOSPC in the artifact store: FAILED, naming mlartifacts/", async () => {
    const out = await mlpUnderMounts(
      project,
      "mkdir -p mlartifacts\nmount -t tmpfs -o size=4k tmpfs mlartifacts",
      ["run"],
    );
    equal(out.code, 1, out.stderr);
    noTraceback(out);
    const runId = out.stdout.trim();
    match(runId, new RegExp(`^${RUN_ID.source}$`));
    match(
      out.stderr,
      new RegExp(
        `\nerror: Run ${runId} FAILED: the file system holding "mlartifacts/${runId}/artifacts" ` +
          "is full: free space there \\(or move the project\\), then run `mlp run` again\n",
      ),
    );
    equal((await project.readRun(runId)).status, "FAILED");
  });

  await project.edit("src/features.py", /$/, FILL_SCRATCH);

  await t.step("ENOSPC in the store: the run is left RUNNING and mlp says so", async () => {
    const copy = join(await Deno.makeTempDir({ prefix: "mlp-os-errors-" }), "mlflow.db");
    const out = await mlpUnderMounts(project, "mount -t tmpfs -o size=4m tmpfs .mlp", ["run"], {
      env: { MLFLOW_TRACKING_URI: "sqlite:///.mlp/mlflow.db" },
      inspect: `cp .mlp/mlflow.db "${copy}"`,
    });
    equal(out.code, 1, out.stderr);
    noTraceback(out);
    const runId = out.stderr.match(/MLflow run ([0-9a-f]{32}) started/)?.[1];
    ok(runId, out.stderr);
    equal(out.stdout, "");
    match(
      out.stderr,
      new RegExp(
        `\nerror: Run ${runId} could not be ended: the MLflow store could not be written \\(the ` +
          'file system holding "\\.mlp/mlflow\\.db" is full\\), so the run is left RUNNING\n' +
          "hint: free space there \\(or move the project\\), then end the run with " +
          "`mlp runs repair` and run `mlp run` again\n$",
      ),
    );
    const status = await project.python<string>(`
import json
from mlflow.tracking import MlflowClient
print(json.dumps(MlflowClient(tracking_uri="sqlite:///${copy}").get_run("${runId}").info.status))
`);
    equal(status, "RUNNING");
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

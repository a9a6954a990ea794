/**
 * `mlp backup`, `mlp backup verify` and `mlp restore` on a real project (issue 9, item 4): a
 * verified, read-only backup; unchanged artifacts hard-linked against the previous backup;
 * `--keep`; a damaged backup named file by file; a restore that refuses to replace runs without
 * --force and moves what it replaces aside; a backup taken while two runs are writing; the folder
 * from project_standards.yaml; `mlp run`'s once-a-day warning; progress on a terminal only.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { createProject, exec, MLP_ROOT, testEnv, type TestProject } from "../support/project.ts";
import { Spawned } from "../support/spawned.ts";

const NO_BACKUP_WARNING = "mlp: warning: this project has no verified backup: take one with " +
  "`mlp backup` (--to DIR, MLP_BACKUP_DIR or backup.dir in configs/project_standards.yaml)";

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

async function run(project: TestProject, warning?: string): Promise<string> {
  const out = await project.mlp(["run"]);
  equal(out.code, 0, out.stderr);
  const warnings = out.stderr.split("\n").filter((line) => line.startsWith("mlp: warning: "));
  deepEqual(warnings, warning === undefined ? [] : [warning]);
  return lastLine(out.stdout);
}

async function manifestPaths(dir: string): Promise<string[]> {
  const text = await Deno.readTextFile(join(dir, "MANIFEST.sha256"));
  return text.trim().split("\n").map((line) => line.slice(66));
}

Deno.test("mlp backup: verified, read-only, linked against the last backup, kept, restored", async (t) => {
  const project = await createProject({ rows: 2000 });
  const first = await run(project, NO_BACKUP_WARNING);
  const backups = await Deno.makeTempDir({ prefix: "mlp-backups-" });

  await t.step(
    "a folder inside the project is refused; --cron prints the weekly line",
    async () => {
      const inside = await project.mlp(["backup", "--to", join(project.root, "backups")]);
      equal(inside.code, 1);
      match(inside.stderr, /The backup folder ".*\/backups" is inside the project/);
      const none = await project.mlp(["backup"], { env: { MLP_BACKUP_DIR: "" } });
      equal(none.code, 2);
      match(
        none.stderr,
        /^error: No backup folder: pass --to DIR, set MLP_BACKUP_DIR, or set backup\.dir in configs\/project_standards\.yaml$/m,
      );
      const cron = await project.mlp(["backup", "--to", backups, "--keep", "8", "--cron"]);
      equal(cron.code, 0, cron.stderr);
      match(
        cron.stdout,
        /^0 18 \* \* 5 cd '.*\/project' && '.*\/bin\/mlp' backup --to '.*mlp-backups-[^']*' --keep 8 >> \.mlp\/backup\.log 2>&1\n$/,
      );
    },
  );

  let one = "";
  await t.step("a backup holds the store, artifacts and logs, verified and read-only", async () => {
    const out = await project.mlp(["backup", "--to", backups]);
    equal(out.code, 0, out.stderr);
    one = lastLine(out.stdout);
    match(one, /\/mlp-backup-\d{8}T\d{6}Z$/);
    match(out.stderr, /^backup verified: 1 runs, \d+ artifacts, /m);
    const paths = await manifestPaths(one);
    ok(paths.includes("mlflow.db"), paths.join("\n"));
    ok(paths.includes("logs/protected_overrides.log"), paths.join("\n"));
    ok(paths.some((p) => p.startsWith("mlartifacts/") && p.endsWith("/artifacts/mlp/seal.json")));
    equal((await Deno.stat(join(one, "mlflow.db"))).mode! & 0o777, 0o444);
    equal((await Deno.stat(one)).mode! & 0o777, 0o555);
    // stderr is no terminal here: no progress line.
    equal(out.stderr.includes("backing up"), false);
    const state = JSON.parse(
      await Deno.readTextFile(join(project.root, ".mlp/backup/last_verified.json")),
    );
    equal(state.dir, one);
    equal(one.endsWith(`mlp-backup-${state.taken_at.replace(/[-:]|\.\d+/g, "")}`), true);
  });

  let two = "";
  await t.step("the next backup hard-links the artifacts the last one holds", async () => {
    await run(project); // a fresh backup: no warning
    await new Promise((r) => setTimeout(r, 1100)); // backups are named by the second
    const out = await project.mlp(["backup", "--to", backups, "--json"]);
    equal(out.code, 0, out.stderr);
    const result = JSON.parse(out.stdout);
    two = result.dir;
    equal(result.runs, 2);
    deepEqual(result.removed, []);
    ok(result.newBytes < result.bytes, JSON.stringify(result));
    const seal = (await manifestPaths(two)).find((p) =>
      p.includes(first) && p.endsWith("seal.json")
    )!;
    equal((await Deno.stat(join(two, seal))).ino, (await Deno.stat(join(one, seal))).ino);
  });

  await t.step("mlp backup verify names a file removed from a backup", async () => {
    const ok0 = await project.mlp(["backup", "verify", two]);
    equal(ok0.code, 0, ok0.stderr);
    match(ok0.stdout, /^backup verified: 2 runs, \d+ artifacts, /);
    const seal = (await manifestPaths(two)).find((p) => p.endsWith("seal.json"))!;
    const parent = join(two, seal, "..");
    await Deno.chmod(parent, 0o755);
    await Deno.remove(join(two, seal));
    const bad = await project.mlp(["backup", "verify", two]);
    equal(bad.code, 1, bad.stderr);
    ok(bad.stderr.includes(`"${seal}" is missing`), bad.stderr);
  });

  await t.step(
    "--keep 1 leaves the new backup alone; mlp restore refuses to replace runs without --force",
    async () => {
      // What a backup killed half-way left is removed by the next one.
      await Deno.mkdir(join(backups, ".staging-mlp-backup-20000101T000000Z/mlartifacts"), {
        recursive: true,
      });
      const out = await project.mlp(["backup", "--to", backups, "--keep", "1"]);
      equal(out.code, 0, out.stderr);
      const three = lastLine(out.stdout);
      match(out.stderr, /removed the old backup mlp-backup-\d{8}T\d{6}Z \(--keep 1\)/);
      const left = await Array.fromAsync(Deno.readDir(backups), (e) => e.name);
      deepEqual(left.filter((n) => !n.endsWith(".lock")), [three.split("/").at(-1)]);
      const refused = await project.mlp(["restore", three]);
      equal(refused.code, 1);
      match(refused.stderr, /holds 2 runs; restoring would replace them/);
      // The last verified backup was ten days ago, and mlp has not warned today yet.
      const taken = new Date(Date.now() - 10.5 * 24 * 3600 * 1000);
      await Deno.writeTextFile(
        join(project.root, ".mlp/backup/last_verified.json"),
        JSON.stringify({ taken_at: taken.toISOString(), dir: three }),
      );
      await Deno.remove(join(project.root, ".mlp/backup/warned_on"));
      // A third run, which the restore takes back.
      await run(
        project,
        `mlp: warning: the last verified backup is 10 days old (${
          taken.toISOString().slice(0, 10)
        }): take one with \`mlp backup\``,
      );
      const forced = await project.mlp(["restore", three, "--force"]);
      equal(forced.code, 0, forced.stderr);
      match(forced.stdout, /^restored 2 runs \(\d+ files\) into /);
      match(forced.stderr, /the replaced files are in .*\/\.mlp\/replaced-/);
      const runs = await project.runs();
      equal(runs.length, 2);
      equal(runs[0].runId, first);
      deepEqual(runs.map((r) => r.status), ["FINISHED", "FINISHED"]);
      const restored = await project.readRun(first);
      ok(restored.artifacts.includes("mlp/seal.json"));
    },
  );

  await t.step(
    "without --to or MLP_BACKUP_DIR, backup.dir of the standards, relative to the root",
    async () => {
      await project.edit("configs/project_standards.yaml", /# dir: .*$/m, "dir: ../std-backups");
      await Deno.mkdir(join(project.root, "src/deep"), { recursive: true });
      const out = await exec(
        join(MLP_ROOT, "bin/mlp"),
        ["backup"],
        join(project.root, "src/deep"),
        {
          MLP_BACKUP_DIR: "",
        },
      );
      equal(out.code, 0, out.stderr);
      match(lastLine(out.stdout), /\/std-backups\/mlp-backup-\d{8}T\d{6}Z$/);
      equal(lastLine(out.stdout).startsWith(join(project.root, "..", "std-backups")), true);
    },
  );

  await t.step("a large artifact store shows progress on a terminal", async () => {
    // A sparse 256 MiB file: as large as the progress threshold, cheap to write.
    using big = await Deno.open(join(project.root, "mlartifacts/big.bin"), {
      create: true,
      write: true,
    });
    await big.truncate(256 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 1100)); // backups are named by the second
    const onTerminal = async (args: string[]) => {
      const terminal = new Spawned(
        "python3",
        [join(MLP_ROOT, "tests/support/pty_run.py"), join(MLP_ROOT, "bin/mlp"), ...args],
        project.root,
        testEnv(),
        { follow: "stdout", stdin: "piped" },
      );
      await terminal.status();
      equal(terminal.lines.at(-1), "exit 0", terminal.stderr);
      return terminal.stderr;
    };
    const taken = await onTerminal(["backup", "--to", backups]);
    // Each redraw clears the terminal line first: "\r", then ESC [2K.
    ok(taken.includes("\r\u001b[2Kmlp: backing up "), taken);
    match(taken, /mlp: backing up [\d.]+ MiB \/ [\d.]+ MiB \(100%\)/);
    match(taken, /backup verified: 2 runs, /);
    const dir = /^(\/\S*\/mlp-backup-\d{8}T\d{6}Z)$/m.exec(taken)![1];
    const verified = await onTerminal(["backup", "verify", dir]);
    ok(verified.includes("\r\u001b[2Kmlp: verifying "), verified);
    match(verified, /mlp: verifying [\d.]+ MiB \/ [\d.]+ MiB \(100%\)/);
    // The same backup, verified with stderr redirected: no progress.
    const quiet = await project.mlp(["backup", "verify", dir]);
    equal(quiet.code, 0, quiet.stderr);
    equal(quiet.stderr, "");
  });
});

Deno.test("mlp backup while two runs are writing: every backup verifies, no torn record", async () => {
  const project = await createProject({ rows: 2000 });
  await run(project, NO_BACKUP_WARNING); // the store exists
  const backups = await Deno.makeTempDir({ prefix: "mlp-backups-" });
  const writers = [project.mlp(["run"]), project.mlp(["run"])];
  let settled = false;
  const done = Promise.all(writers).finally(() => settled = true);
  const taken: string[] = [];
  while (!settled || taken.length === 0) {
    const out = await project.mlp(["backup", "--to", backups]);
    equal(out.code, 0, out.stderr);
    taken.push(lastLine(out.stdout));
    await new Promise((r) => setTimeout(r, 1100));
  }
  for (const out of await done) equal(out.code, 0, out.stderr);
  let midRun = 0;
  for (const dir of taken) {
    const out = await project.mlp(["backup", "verify", dir]);
    equal(out.code, 0, out.stderr);
    const db = new DatabaseSync(join(dir, "mlflow.db"), { readOnly: true });
    const row = db.prepare("SELECT count(*) AS n FROM runs WHERE status = 'RUNNING'").get();
    db.close();
    if (Number((row as { n: number }).n) > 0) midRun++;
  }
  ok(midRun > 0, `none of the ${taken.length} backups was taken while a run was RUNNING`);
});

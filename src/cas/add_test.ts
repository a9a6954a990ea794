import assert from "node:assert/strict";
import { join } from "node:path";
import { CheckError, InputError, InterruptedError } from "../errors.ts";
import { addDataset } from "./add.ts";
import {
  addIncoming,
  fakeProbe,
  refusal,
  SCHEMA,
  sha256,
  tamperWith,
  TEST,
  TRAIN,
  withProject,
} from "./testing.ts";

async function run(cmd: string, args: string[], cwd: string) {
  const output = await new Deno.Command(cmd, { args, cwd }).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

Deno.test("addDataset() stores files, schema and a sha256sum manifest named by its hash", async () => {
  await withProject(async (root) => {
    const calls: string[][] = [];
    const added = await addDataset(root, ["incoming"], {
      probeSchema: fakeProbe(calls),
      cwd: root,
    });

    const manifest = `${sha256(SCHEMA)}  schema.json\n${sha256(TEST)}  sub/test.csv\n` +
      `${sha256(TRAIN)}  train.csv\n`;
    const dir = join(root, "data/shadow", sha256(manifest));
    assert.deepEqual(added, {
      hash: sha256(manifest),
      schemaHash: sha256(SCHEMA),
      dir,
      files: ["schema.json", "sub/test.csv", "train.csv"],
      tables: ["sub/test.csv", "train.csv"],
      schema: JSON.parse(SCHEMA),
      bytes: SCHEMA.length + TEST.length + TRAIN.length,
      existed: false,
    });
    assert.equal(await Deno.readTextFile(join(dir, "MANIFEST.sha256")), manifest);
    assert.equal(await Deno.readTextFile(join(dir, "sub/test.csv")), TEST);
    assert.equal(await Deno.readTextFile(join(dir, "schema.json")), SCHEMA);
    // The probe reads the staged copies, tables in manifest order.
    assert.equal(calls.length, 1);
    const staged = /\/data\/shadow\/\.staging-[^/]+\/(.*)$/;
    assert.deepEqual(calls[0].map((path) => staged.exec(path)?.[1]), ["sub/test.csv", "train.csv"]);
    // Nothing else is left in the store.
    assert.deepEqual([...Deno.readDirSync(join(root, "data/shadow"))].map((e) => e.name), [
      added.hash,
    ]);
  });
});

Deno.test("a dataset checks with coreutils: sha256sum -c MANIFEST.sha256 && sha256sum MANIFEST.sha256", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    const dir = join(root, "data/shadow", hash);
    const check = await run("sha256sum", ["--strict", "-c", "MANIFEST.sha256"], dir);
    assert.equal(check.code, 0, check.stderr);
    assert.equal(check.stdout, "schema.json: OK\nsub/test.csv: OK\ntrain.csv: OK\n");
    const self = await run("sha256sum", ["MANIFEST.sha256"], dir);
    assert.equal(self.stdout, `${hash}  MANIFEST.sha256\n`);
  });
});

Deno.test("addDataset() makes files 0444 and directories 0555", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    const dir = join(root, "data/shadow", hash);
    const mode = (path: string) => (Deno.statSync(join(dir, path)).mode! & 0o777).toString(8);
    assert.equal(mode("."), "555");
    assert.equal(mode("sub"), "555");
    assert.equal(mode("train.csv"), "444");
    assert.equal(mode("sub/test.csv"), "444");
    assert.equal(mode("schema.json"), "444");
    assert.equal(mode("MANIFEST.sha256"), "444");
  });
});

Deno.test("addDataset() of identical files returns the existing dataset without touching it", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    const dir = join(root, "data/shadow", hash);
    const before = Deno.statSync(join(dir, "train.csv"));
    const beforeDir = Deno.statSync(dir);
    // Same bytes from other paths: same dataset.
    await Deno.mkdir(join(root, "again/sub"), { recursive: true });
    await Deno.writeTextFile(join(root, "again/train.csv"), TRAIN);
    await Deno.writeTextFile(join(root, "again/sub/test.csv"), TEST);
    const again = await addDataset(root, ["again"], { probeSchema: fakeProbe(), cwd: root });
    assert.equal(again.hash, hash);
    assert.equal(again.existed, true);
    const after = Deno.statSync(join(dir, "train.csv"));
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtime?.getTime(), before.mtime?.getTime());
    assert.equal(Deno.statSync(dir).ino, beforeDir.ino);
    assert.deepEqual([...Deno.readDirSync(join(root, "data/shadow"))].map((e) => e.name), [hash]);
  });
});

Deno.test("addDataset() of files whose dataset exists but was tampered with refuses", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    const file = await tamperWith(root, hash, "train.csv", "x,y\n9,z\n");
    const error = await refusal(
      addDataset(root, ["incoming"], { probeSchema: fakeProbe(), cwd: root }),
    );
    assert.equal(error.location?.file, `data/shadow/${hash}/train.csv`);
    assert.equal(await Deno.readTextFile(file), "x,y\n9,z\n");
  });
});

Deno.test("addDataset() refuses inputs that cannot become a dataset", async () => {
  await withProject(async (root) => {
    const add = (paths: string[]) =>
      refusal(addDataset(root, paths, { probeSchema: fakeProbe(), cwd: root }));
    const expect = async (paths: string[], message: string, hint?: string) => {
      const error = await add(paths);
      assert.ok(error instanceof InputError, error.message);
      assert.equal(error.message, message);
      if (hint !== undefined) assert.equal(error.hint, hint);
    };
    await expect(["nope.csv"], 'No such file or directory "nope.csv"');
    await Deno.writeTextFile(join(root, "notes.txt"), "hello\n");
    await expect(
      ["notes.txt"],
      "No table file among the 1 files given: a dataset needs at least one .parquet or .csv file",
    );
    await Deno.writeTextFile(join(root, "train.csv"), TRAIN);
    await expect(
      ["incoming", "train.csv"],
      '"incoming/train.csv" and "train.csv" would both be stored as "train.csv"',
      "rename one of them, or pass the directory that holds both",
    );
    await Deno.symlink(join(root, "train.csv"), join(root, "link.csv"));
    await expect(
      ["link.csv"],
      '"link.csv" is a symbolic link: datasets hold regular files only',
      `pass the file it points to ("${join(root, "train.csv")}")`,
    );
    await Deno.symlink("../train.csv", join(root, "incoming/sub/linked.csv"));
    await expect(
      ["incoming"],
      '"incoming/sub/linked.csv" is a symbolic link: datasets hold regular files only',
    );
    await Deno.remove(join(root, "incoming/sub/linked.csv"));
    await Deno.mkdir(join(root, "data/production"), { recursive: true });
    await Deno.writeTextFile(join(root, "data/production/live.csv"), TRAIN);
    await expect(
      ["data/production/live.csv"],
      '"data/production/live.csv" is or contains data/production/',
    );
    await expect(["data"], '"data" is or contains data/production/');
    await Deno.remove(join(root, "data/production"), { recursive: true });
    await Deno.mkdir(join(root, "data/shadow"));
    await expect(["."], '"." contains data/shadow/, the dataset store itself');
    await Deno.writeTextFile(join(root, "schema.json"), "{}");
    await expect(
      ["train.csv", "schema.json"],
      '"schema.json" would be stored as "schema.json", a name mlp writes itself in every dataset',
    );
    await Deno.writeTextFile(join(root, "bad\\name.csv"), TRAIN);
    await expect(
      ["bad\\name.csv"],
      'File name "bad\\name.csv" (from "bad\\name.csv") contains a backslash or a control character',
    );
    const fifo = join(root, "pipe.csv");
    assert.equal((await run("mkfifo", [fifo], root)).code, 0);
    await expect(["pipe.csv"], '"pipe.csv" is a special file: datasets hold regular files only');
  });
});

Deno.test("addDataset() leaves nothing behind when the schema probe fails", async () => {
  await withProject(async (root) => {
    const error = await refusal(addDataset(root, ["incoming"], {
      probeSchema: () => Promise.reject(new CheckError("Cannot read the dataset's schema")),
      cwd: root,
    }));
    assert.equal(error.message, "Cannot read the dataset's schema");
    assert.deepEqual([...Deno.readDirSync(join(root, "data/shadow"))], []);
    const bad = await refusal(addDataset(root, ["incoming"], {
      probeSchema: () => Promise.resolve(new TextEncoder().encode("not json")),
      cwd: root,
    }));
    assert.match(bad.message, /^schema\.json is not valid JSON: /);
    assert.deepEqual([...Deno.readDirSync(join(root, "data/shadow"))], []);
  });
});

Deno.test("addDataset() interrupted at any step stores nothing and removes its partial copy", async () => {
  await withProject(async (root) => {
    const interrupted = async (options: { abortBefore?: boolean; probe: "ok" | "dies" }) => {
      const controller = new AbortController();
      if (options.abortBefore) controller.abort();
      const probeSchema = (tables: string[]) => {
        controller.abort();
        return options.probe === "ok"
          ? fakeProbe()(tables)
          : Promise.reject(new CheckError("schema probe killed by SIGINT"));
      };
      const error = await addDataset(root, ["incoming"], {
        probeSchema,
        cwd: root,
        signal: controller.signal,
      }).catch((error) => error);
      assert.ok(error instanceof InterruptedError, String(error));
      assert.equal(error.exitCode, 130);
      assert.equal(error.message, "Interrupted: the dataset was not added");
      assert.equal(
        error.hint,
        "nothing was stored (the partial copy is removed); run `mlp data add` again",
      );
      assert.deepEqual([...Deno.readDirSync(join(root, "data/shadow"))], []);
    };
    await interrupted({ abortBefore: true, probe: "ok" });
    await interrupted({ probe: "ok" });
    // The terminal's Ctrl-C kills the probe too: the interrupt is reported, not the probe's death.
    await interrupted({ probe: "dies" });
  });
});

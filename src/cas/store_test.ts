import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { CheckError, InputError, type MlpError } from "../errors.ts";
import { addDataset, listDatasets, verifyDataset } from "./store.ts";
import { chmodTree } from "./tree.ts";

const SCHEMA = '{"columns":[{"dtype":"int64","name":"x"},{"dtype":"object","name":"y"}]}\n';
const TRAIN = "x,y\n1,a\n2,b\n";
const TEST = "x,y\n3,c\n";

/** The schema probe is an injected dependency; this one records what it was asked to read. */
function fakeProbe(calls: string[][] = []) {
  return (tables: string[]) => {
    calls.push(tables);
    return Promise.resolve(new TextEncoder().encode(SCHEMA));
  };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A project directory with one CSV pair in `incoming/`, outside the store. */
async function withProject(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "mlp-cas-" });
  try {
    await Deno.mkdir(join(root, "configs"));
    await Deno.writeTextFile(join(root, "configs/project_standards.yaml"), "{}\n");
    await Deno.mkdir(join(root, "incoming/sub"), { recursive: true });
    await Deno.writeTextFile(join(root, "incoming/train.csv"), TRAIN);
    await Deno.writeTextFile(join(root, "incoming/sub/test.csv"), TEST);
    await fn(root);
  } finally {
    await chmodTree(root, 0o644, 0o755);
    await Deno.remove(root, { recursive: true });
  }
}

async function addIncoming(root: string): Promise<string> {
  const added = await addDataset(root, ["incoming"], { probeSchema: fakeProbe(), cwd: root });
  return added.hash;
}

async function refusal(promise: Promise<unknown>): Promise<MlpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CheckError || error instanceof InputError) return error;
    throw error;
  }
  assert.fail("expected a refusal");
}

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
    const file = join(root, "data/shadow", hash, "train.csv");
    await Deno.chmod(file, 0o644);
    await Deno.writeTextFile(file, "x,y\n9,z\n");
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

Deno.test("verifyDataset() returns the dataset's identity and reports progress", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    let last: [number, number] = [0, 0];
    const verified = await verifyDataset(root, hash, { onProgress: (d, t) => (last = [d, t]) });
    assert.equal(verified.hash, hash);
    assert.equal(verified.schemaHash, sha256(SCHEMA));
    assert.deepEqual(verified.tables, ["sub/test.csv", "train.csv"]);
    const bytes = SCHEMA.length + TEST.length + TRAIN.length;
    assert.equal(verified.bytes, bytes);
    assert.deepEqual(last, [bytes, bytes]);
  });
});

Deno.test("verifyDataset() names a file that changed, with both hashes", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    const file = join(root, "data/shadow", hash, "sub/test.csv");
    await Deno.chmod(file, 0o644);
    await Deno.writeTextFile(file, "x,y\n4,d\n");
    const error = await refusal(verifyDataset(root, hash));
    assert.ok(error instanceof CheckError);
    assert.equal(error.exitCode, 1);
    assert.equal(error.location?.file, `data/shadow/${hash}/sub/test.csv`);
    assert.equal(
      error.message,
      `Dataset file changed since it was added: its SHA-256 is "${sha256("x,y\n4,d\n")}", ` +
        `MANIFEST.sha256 says "${sha256(TEST)}"`,
    );
    assert.match(error.hint!, /^datasets are immutable: restore the original file/);
  });
});

Deno.test("verifyDataset() refuses an extra file, a missing file and a symlink", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    const dir = join(root, "data/shadow", hash);
    await Deno.chmod(dir, 0o755);

    await Deno.writeTextFile(join(dir, "extra.csv"), TRAIN);
    let error = await refusal(verifyDataset(root, hash));
    assert.equal(error.message, "File is not listed in the dataset's MANIFEST.sha256");
    assert.equal(error.location?.file, `data/shadow/${hash}/extra.csv`);
    await Deno.remove(join(dir, "extra.csv"));

    await Deno.rename(join(dir, "train.csv"), join(root, "train.csv"));
    error = await refusal(verifyDataset(root, hash));
    assert.equal(error.message, "File listed in MANIFEST.sha256 is missing from the dataset");
    assert.equal(error.location?.file, `data/shadow/${hash}/train.csv`);

    // A symlink in place of the file, even to identical bytes, is refused.
    await Deno.symlink(join(root, "train.csv"), join(dir, "train.csv"));
    error = await refusal(verifyDataset(root, hash));
    assert.equal(error.message, "Dataset contains a symbolic link");
    assert.equal(error.location?.file, `data/shadow/${hash}/train.csv`);
  });
});

Deno.test("verifyDataset() refuses a malformed hash and names near misses of unknown ones", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    const bad = await refusal(verifyDataset(root, "../incoming"));
    assert.ok(bad instanceof InputError);
    assert.equal(
      bad.message,
      'Invalid dataset_version "../incoming": expected the dataset\'s SHA-256, 64 lowercase hexadecimal characters',
    );
    const typo = hash.slice(0, 63) + (hash[63] === "0" ? "1" : "0");
    const missing = await refusal(verifyDataset(root, typo));
    assert.equal(missing.message, `Dataset "${typo}" not found in data/shadow/`);
    assert.equal(
      missing.hint,
      `did you mean "${hash}"? \`mlp data ls\` lists the datasets; \`mlp data add PATH…\` adds one`,
    );
  });
});

Deno.test("verifyDataset() refuses a dataset directory that resolves outside data/shadow/", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    const shadow = join(root, "data/shadow");
    await Deno.chmod(join(shadow, hash), 0o755);
    await Deno.rename(join(shadow, hash), join(root, "elsewhere"));
    await Deno.symlink(`../../elsewhere`, join(shadow, hash));
    const error = await refusal(verifyDataset(root, hash));
    assert.equal(
      error.message,
      `Dataset directory "data/shadow/${hash}" is a symbolic link to "${
        join(root, "elsewhere")
      }", outside data/shadow/`,
    );
  });
});

Deno.test("verifyDataset() refuses a manifest that lists a path outside the dataset", async () => {
  await withProject(async (root) => {
    const manifest = `${sha256(TRAIN)}  ../../incoming/train.csv\n`;
    const hash = sha256(manifest);
    await Deno.mkdir(join(root, "data/shadow", hash), { recursive: true });
    await Deno.writeTextFile(join(root, "data/shadow", hash, "MANIFEST.sha256"), manifest);
    const error = await refusal(verifyDataset(root, hash));
    assert.equal(error.message, 'Manifest lists "../../incoming/train.csv", which contains ".."');
    assert.deepEqual(error.location, { file: `data/shadow/${hash}/MANIFEST.sha256`, line: 1 });
  });
});

Deno.test("verifyDataset() refuses a manifest edited after the add", async () => {
  await withProject(async (root) => {
    const hash = await addIncoming(root);
    const path = join(root, "data/shadow", hash, "MANIFEST.sha256");
    await Deno.chmod(path, 0o644);
    const edited = (await Deno.readTextFile(path)).replace(/^.*train\.csv\n/m, "");
    await Deno.writeTextFile(path, edited);
    const error = await refusal(verifyDataset(root, hash));
    assert.equal(
      error.message,
      `Manifest hashes to "${sha256(edited)}", not to the dataset's name "${hash}": ` +
        "it was edited or the directory was renamed",
    );
    assert.equal(error.location?.file, `data/shadow/${hash}/MANIFEST.sha256`);
  });
});

Deno.test("verifyDataset() refuses a dataset without schema.json", async () => {
  await withProject(async (root) => {
    const manifest = `${sha256(TRAIN)}  train.csv\n`;
    const hash = sha256(manifest);
    const dir = join(root, "data/shadow", hash);
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(join(dir, "MANIFEST.sha256"), manifest);
    await Deno.writeTextFile(join(dir, "train.csv"), TRAIN);
    const error = await refusal(verifyDataset(root, hash));
    assert.equal(error.message, `Dataset "${hash}" has no schema.json`);
  });
});

Deno.test("listDatasets() lists cheaply, ignores foreign entries, and verifies on request", async () => {
  await withProject(async (root) => {
    const first = await addIncoming(root);
    await Deno.writeTextFile(join(root, "other.csv"), TEST);
    const second = (await addDataset(root, ["other.csv"], { probeSchema: fakeProbe(), cwd: root }))
      .hash;
    await Deno.writeTextFile(join(root, "data/shadow/README.md"), "notes\n");
    await Deno.writeTextFile(join(root, "data/shadow/.gitkeep"), "");

    const listing = await listDatasets(root);
    assert.deepEqual(listing.ignored, ["README.md"]);
    assert.deepEqual(
      listing.datasets.map((d) => d.hash).sort(),
      [first, second].sort(),
    );
    const summary = listing.datasets.find((d) => d.hash === first)!;
    assert.deepEqual({ ...summary, added: undefined }, {
      hash: first,
      dir: `data/shadow/${first}`,
      files: 3,
      bytes: SCHEMA.length + TEST.length + TRAIN.length,
      tables: ["sub/test.csv", "train.csv"],
      columns: 2,
      added: undefined,
      verified: null,
      problem: null,
    });

    // A changed file is only found by hashing; a missing one by the cheap listing.
    const file = join(root, "data/shadow", first, "train.csv");
    await Deno.chmod(file, 0o644);
    await Deno.writeTextFile(file, "x,y\n0,0\n");
    assert.equal((await listDatasets(root)).datasets.find((d) => d.hash === first)!.verified, null);
    const verified = (await listDatasets(root, { verify: true })).datasets;
    assert.equal(verified.find((d) => d.hash === second)!.verified, true);
    const broken = verified.find((d) => d.hash === first)!;
    assert.equal(broken.verified, false);
    assert.match(
      broken.problem!,
      new RegExp(`^data/shadow/${first}/train\\.csv: Dataset file changed`),
    );

    await Deno.chmod(join(root, "data/shadow", first), 0o755);
    await Deno.remove(file);
    const cheap = (await listDatasets(root)).datasets.find((d) => d.hash === first)!;
    assert.equal(cheap.verified, false);
    assert.equal(
      cheap.problem,
      `data/shadow/${first}/train.csv: File listed in MANIFEST.sha256 is missing from the dataset`,
    );
  });
});

Deno.test("listDatasets() of a project without data/shadow/ is empty", async () => {
  await withProject(async (root) => {
    assert.deepEqual(await listDatasets(root), { datasets: [], ignored: [] });
  });
});

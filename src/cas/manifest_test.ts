import assert from "node:assert/strict";
import { CheckError } from "../errors.ts";
import { datasetHash, formatManifest, parseManifest } from "./manifest.ts";

const A = "a".repeat(64);
const B = "b".repeat(64);

function refusal(text: string): { message: string; line?: number } {
  try {
    parseManifest(text, "data/shadow/x/MANIFEST.sha256");
  } catch (error) {
    assert.ok(error instanceof CheckError);
    assert.equal(error.exitCode, 1);
    assert.equal(error.location?.file, "data/shadow/x/MANIFEST.sha256");
    return { message: error.message, line: error.location?.line };
  }
  assert.fail("expected a CheckError");
}

Deno.test("formatManifest() sorts bytewise and writes sha256sum lines", () => {
  const text = formatManifest([
    { path: "b.csv", sha256: B },
    { path: "a/z.csv", sha256: A },
    { path: "B.csv", sha256: A },
    { path: "a.csv", sha256: B },
    { path: "é.csv", sha256: A },
  ]);
  assert.equal(
    text,
    `${A}  B.csv\n${B}  a.csv\n${A}  a/z.csv\n${B}  b.csv\n${A}  é.csv\n`,
  );
});

Deno.test("formatManifest() of no entries is empty", () => {
  assert.equal(formatManifest([]), "");
});

Deno.test("formatManifest() refuses duplicates, bad paths and bad hashes as bugs", () => {
  assert.throws(
    () => formatManifest([{ path: "a.csv", sha256: A }, { path: "a.csv", sha256: B }]),
    { message: 'Cannot list "a.csv" in a manifest: it is listed twice' },
  );
  assert.throws(() => formatManifest([{ path: "../a.csv", sha256: A }]), {
    message: 'Cannot list "../a.csv" in a manifest: it contains ".."',
  });
  assert.throws(() => formatManifest([{ path: "a.csv", sha256: "ABC" }]), {
    message: 'Cannot list "a.csv" in a manifest: it has a malformed SHA-256 "ABC"',
  });
  assert.throws(() => formatManifest([{ path: "MANIFEST.sha256", sha256: A }]), {
    message: 'Cannot list "MANIFEST.sha256" in a manifest: it is the manifest itself',
  });
});

Deno.test("parseManifest() reads what formatManifest() writes", () => {
  const entries = [
    { path: "schema.json", sha256: A },
    { path: "tables/part 1.parquet", sha256: B },
  ];
  assert.deepEqual(parseManifest(formatManifest(entries), "M"), entries);
  assert.deepEqual(parseManifest("", "M"), []);
});

Deno.test("parseManifest() refuses every deviation with its line number", () => {
  assert.deepEqual(refusal(`${A}  a.csv`), {
    message: "Manifest does not end with a newline",
    line: 1,
  });
  assert.deepEqual(refusal(`${A}  a.csv\n${A} *b.csv\n`), {
    message: `Manifest line is not "<64 lowercase hex SHA-256>  <relative path>": "${A} *b.csv"`,
    line: 2,
  });
  assert.deepEqual(refusal(`${A.toUpperCase()}  a.csv\n`), {
    message:
      `Manifest line is not "<64 lowercase hex SHA-256>  <relative path>": "${A.toUpperCase()}  a.csv"`,
    line: 1,
  });
  assert.deepEqual(refusal(`${A}  a.csv\r\n`), {
    message: "Manifest line ends with a carriage return (a Windows line ending)",
    line: 1,
  });
  assert.deepEqual(refusal(`${A}  a.csv\n\n`), {
    message: 'Manifest line is not "<64 lowercase hex SHA-256>  <relative path>": ""',
    line: 2,
  });
  assert.deepEqual(refusal(`${A}  /etc/passwd\n`), {
    message: 'Manifest lists "/etc/passwd", which is absolute',
    line: 1,
  });
  assert.deepEqual(refusal(`${A}  ../outside.csv\n`), {
    message: 'Manifest lists "../outside.csv", which contains ".."',
    line: 1,
  });
  assert.deepEqual(refusal(`${A}  a/./b.csv\n`), {
    message: 'Manifest lists "a/./b.csv", which has an empty or "." segment',
    line: 1,
  });
  assert.deepEqual(refusal(`${A}  a\\b.csv\n`), {
    message: 'Manifest lists "a\\b.csv", which contains a backslash or a control character',
    line: 1,
  });
  assert.deepEqual(refusal(`${A}  MANIFEST.sha256\n`), {
    message: 'Manifest lists "MANIFEST.sha256", which is the manifest itself',
    line: 1,
  });
  assert.deepEqual(refusal(`${A}  a.csv\n${B}  a.csv\n`), {
    message: 'Manifest lists "a.csv" twice',
    line: 2,
  });
  assert.deepEqual(refusal(`${A}  b.csv\n${B}  a.csv\n`), {
    message: 'Manifest is not sorted by path: "a.csv" comes after "b.csv"',
    line: 2,
  });
});

Deno.test("datasetHash() is the SHA-256 of the manifest bytes", () => {
  // sha256 of "abc", a published test vector.
  assert.equal(
    datasetHash(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(datasetHash("abc"), datasetHash(new TextEncoder().encode("abc")));
});

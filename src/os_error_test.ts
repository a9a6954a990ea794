import assert from "node:assert/strict";
import { join } from "node:path";
import { formatError } from "./errors.ts";
import { describeOsError, type OsErrorFacts, osErrorFacts, refusalForOsError } from "./os_error.ts";

/** An error the way Deno 2.9 throws it for `code` (checked on a real tmpfs: a plain Error). */
function denoError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

const FULL_COPY = "No space left on device (os error 28): copy '/src/big.csv' -> " +
  "'/p/data/shadow/.staging-1a2b/big.csv'";

Deno.test("osErrorFacts() reads the errno code and the paths of Deno's and node:fs's errors", async () => {
  const exists = await Deno.mkdir(Deno.cwd()).catch((error: unknown) => error);
  assert.deepEqual(osErrorFacts(exists), {
    code: "EEXIST",
    paths: [Deno.cwd()],
    message: `File exists (os error 17): mkdir '${Deno.cwd()}'`,
  });
  assert.deepEqual(osErrorFacts(denoError("ENOSPC", FULL_COPY)), {
    code: "ENOSPC",
    paths: ["/src/big.csv", "/p/data/shadow/.staging-1a2b/big.csv"],
    message: FULL_COPY,
  });
  // A write on an open file and Deno.makeTempDir name no path.
  assert.deepEqual(osErrorFacts(denoError("EACCES", "Permission denied (os error 13): tmpdir")), {
    code: "EACCES",
    paths: [],
    message: "Permission denied (os error 13): tmpdir",
  });
  const node = Object.assign(
    new Error("EROFS: read-only file system, rename '/a' -> '/b'"),
    { code: "EROFS", errno: -30, path: "/a", dest: "/b" },
  );
  assert.deepEqual(osErrorFacts(node), {
    code: "EROFS",
    paths: ["/a", "/b"],
    message: "EROFS: read-only file system, rename '/a' -> '/b'",
  });
});

Deno.test("osErrorFacts() leaves bugs alone: no code, an unknown code, Deno's own permission check", () => {
  assert.equal(osErrorFacts(new Error("boom")), undefined);
  assert.equal(osErrorFacts(denoError("EBADF", "Bad file descriptor (os error 9)")), undefined);
  assert.equal(osErrorFacts(denoError("ERR_INVALID_ARG_TYPE", "bad argument")), undefined);
  assert.equal(osErrorFacts(new Deno.errors.NotCapable("Requires write access")), undefined);
  assert.equal(osErrorFacts("ENOSPC"), undefined);
});

Deno.test("describeOsError() names the full file system, the fix and what the command left", () => {
  const facts = osErrorFacts(denoError("ENOSPC", FULL_COPY))!;
  const refusal = describeOsError(facts, {
    command: "mlp data add",
    outcome: "nothing was stored (the partial copy is removed)",
    show: (path) => path.startsWith("/p/data/shadow/") ? "data/shadow" : path,
  });
  assert.equal(refusal.exitCode, 1);
  assert.equal(
    formatError(refusal),
    'error: The file system holding "data/shadow" is full\n' +
      `  - ${FULL_COPY}\n` +
      "hint: free space there (or move the project), then run `mlp data add` again; nothing was " +
      "stored (the partial copy is removed)",
  );
});

Deno.test("describeOsError() for each errno: quota, read-only, no path, other refusals", () => {
  const cases: [OsErrorFacts, string, string][] = [
    [
      { code: "EDQUOT", paths: ["/p/x"], message: "Disk quota exceeded (os error 122)" },
      'Your disk quota on the file system holding "/p/x" is used up',
      "free space there or ask for a larger quota, then run `mlp schema` again",
    ],
    [
      { code: "EROFS", paths: ["/p/configs/a.json"], message: "Read-only file system" },
      'The file system holding "/p/configs/a.json" is read-only',
      "remount it read-write or move the project to a writable disk, then run `mlp schema` again",
    ],
    [
      { code: "ENOSPC", paths: [], message: "No space left on device (os error 28)" },
      "A file system mlp writes to is full",
      "free space there (or move the project), then run `mlp schema` again",
    ],
    [
      { code: "ENOTDIR", paths: ["/p/x"], message: "Not a directory (os error 20): mkdir '/p/x'" },
      "Not a directory (os error 20): mkdir '/p/x'",
      "the operating system refused a file operation on that path: fix it (a file where a " +
      "directory belongs, a missing directory) and run `mlp schema` again",
    ],
  ];
  for (const [facts, message, hint] of cases) {
    const refusal = describeOsError(facts, { command: "mlp schema" });
    assert.deepEqual([refusal.message, refusal.hint], [message, hint], facts.code);
  }
});

Deno.test("describeOsError() for a permission error names the owner and mode, and the fix", () => {
  const denied = describeOsError(
    { code: "EACCES", paths: ["/p/configs/a.json"], message: "Permission denied (os error 13)" },
    { command: "mlp schema" },
    [{ path: "/p/configs", uid: 65534, mode: 0o40755 }],
  );
  assert.deepEqual([denied.message, denied.hint], [
    'Permission denied on "/p/configs/a.json"',
    '"/p/configs" belongs to uid 65534 (mode 0755): run mlp as that user, or take it over ' +
    '(`sudo chown -R "$(id -u)" "/p/configs"`), then run `mlp schema` again',
  ]);
  const copy = describeOsError(
    { code: "EACCES", paths: ["/a/t.csv", "/p/s"], message: "Permission denied (os error 13)" },
    { command: "mlp data add", where: "/p/s" },
    [{ path: "/a/t.csv", uid: 0, mode: 0o100600 }, { path: "/p/s", uid: 0, mode: 0o40755 }],
  );
  assert.deepEqual([copy.message, copy.hint], [
    'Permission denied on "/a/t.csv" or "/p/s"',
    '"/a/t.csv" belongs to uid 0 (mode 0600), "/p/s" belongs to uid 0 (mode 0755): run mlp as ' +
    'their owner, or take them over (`sudo chown -R "$(id -u)" "/a/t.csv" "/p/s"`), then run ' +
    "`mlp data add` again",
  ]);
  const immutable = describeOsError(
    { code: "EPERM", paths: [], message: "Operation not permitted (os error 1): tmpdir" },
    { command: "mlp data add", where: "/p/data/shadow" },
    [{ path: "/p/data/shadow", uid: 0, mode: 0o40755 }],
  );
  assert.deepEqual([immutable.message, immutable.hint], [
    'Operation not permitted on "/p/data/shadow"',
    'it may be immutable or append-only: `lsattr -d "/p/data/shadow"` shows an "i" or "a" flag, ' +
    '`sudo chattr -i -a "/p/data/shadow"` clears them; else check its owner (uid 0, mode 0755), ' +
    "then run `mlp data add` again",
  ]);
});

Deno.test("refusalForOsError() looks up the owner of the nearest existing path", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mlp_os_error_" });
  try {
    await Deno.chmod(dir, 0o750);
    const missing = join(dir, "not/yet/here.json");
    const refusal = await refusalForOsError(
      denoError("EACCES", `Permission denied (os error 13): writefile '${missing}'`),
      { command: "mlp schema" },
    );
    const { uid } = await Deno.stat(dir);
    assert.equal(
      refusal?.hint,
      `"${dir}" belongs to uid ${uid} (mode 0750): run mlp as that user, or take it over ` +
        `(\`sudo chown -R "$(id -u)" "${dir}"\`), then run \`mlp schema\` again`,
    );
    assert.equal(await refusalForOsError(new Error("a bug"), { command: "mlp schema" }), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

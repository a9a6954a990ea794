import assert from "node:assert/strict";
import { join } from "node:path";
import { CheckError, InputError } from "../errors.ts";
import {
  appendedEntries,
  appendedFrom,
  appendOverrideEntries,
  checkLogOnlyGrows,
  formatEntry,
  GENESIS,
  lineHash,
  type OverrideEntry,
  resolveOperator,
  verifyOverrideLog,
} from "./override_log.ts";

const FILE = "logs/protected_overrides.log";

function entry(n: number): Omit<OverrideEntry, "prev"> {
  return {
    ts: `2026-01-0${n}T10:00:00.000Z`,
    kind: "protected_override",
    field: "protected.split_strategy",
    old: "stratified_kfold",
    new: "temporal_split",
    operator: "ana@example.com",
    config: "configs/experiment.yaml",
    reason: `reason ${n}`,
    commit: "a".repeat(40),
    run_id: `${n}`.repeat(32),
  };
}

/** A valid log of `count` entries, as its lines (without newlines). */
function chain(count: number): string[] {
  const lines: string[] = [];
  for (let n = 1; n <= count; n++) {
    lines.push(formatEntry({ ...entry(n), prev: n === 1 ? GENESIS : lineHash(lines[n - 2]) }));
  }
  return lines;
}

const text = (lines: string[]) => lines.map((l) => `${l}\n`).join("");

Deno.test("formatEntry() writes the keys in the documented order", () => {
  assert.equal(
    formatEntry({ ...entry(1), prev: GENESIS }),
    `{"ts":"2026-01-01T10:00:00.000Z","kind":"protected_override","field":"protected.split_strategy",` +
      `"old":"stratified_kfold","new":"temporal_split","operator":"ana@example.com",` +
      `"config":"configs/experiment.yaml","reason":"reason 1","commit":"${"a".repeat(40)}",` +
      `"run_id":"${"1".repeat(32)}","prev":"${GENESIS}"}`,
  );
});

Deno.test("verifyOverrideLog() accepts an empty log and a valid chain", () => {
  assert.deepEqual(verifyOverrideLog("", FILE), { entries: [], problems: [] });
  const { entries, problems } = verifyOverrideLog(text(chain(3)), FILE);
  assert.deepEqual(problems, []);
  assert.deepEqual(entries.map((e) => e.reason), ["reason 1", "reason 2", "reason 3"]);
});

Deno.test("verifyOverrideLog() takes an outcome correction, and refuses an unknown kind", () => {
  const correction = formatEntry({
    ...entry(1),
    kind: "outcome_correction",
    field: "mlp.outcome",
    old: "neutral",
    new: "confirmed",
    prev: GENESIS,
  });
  const { entries, problems } = verifyOverrideLog(`${correction}\n`, FILE);
  assert.deepEqual(problems, []);
  assert.equal(entries[0].kind, "outcome_correction");
  const other = correction.replace('"outcome_correction"', '"vibes"');
  assert.deepEqual(verifyOverrideLog(`${other}\n`, FILE).problems, [{
    line: 1,
    message: '"kind" is "vibes", expected one of "protected_override", "unsandboxed", ' +
      '"outcome_correction", "promotion", "promotion_revoked": the entry was edited or truncated',
  }]);
});

Deno.test("verifyOverrideLog() names the line after an edited entry", () => {
  const lines = chain(3);
  lines[1] = lines[1].replace("reason 2", "reason two");
  assert.deepEqual(verifyOverrideLog(text(lines), FILE).problems, [{
    line: 3,
    message: '"prev" does not match line 2: line 2 was edited, or entries between lines 2 and 3 ' +
      "were deleted",
  }]);
});

Deno.test("verifyOverrideLog() detects a deleted first, middle and last entry", () => {
  const lines = chain(3);
  assert.deepEqual(verifyOverrideLog(text([lines[0], lines[2]]), FILE).problems, [{
    line: 2,
    message: '"prev" does not match line 1: line 1 was edited, or entries between lines 1 and 2 ' +
      "were deleted",
  }]);
  assert.deepEqual(verifyOverrideLog(text(lines.slice(1)), FILE).problems, [{
    line: 1,
    message:
      '"prev" is not 64 zeros, so this is not the first entry: entries before it were deleted',
  }]);
  assert.deepEqual(
    verifyOverrideLog(text(lines).slice(0, -10), FILE).problems.map((p) => p.line),
    [3, 3],
  );
});

Deno.test("verifyOverrideLog() says entries were reordered", () => {
  const [a, b, c] = chain(3);
  assert.deepEqual(verifyOverrideLog(text([a, c, b]), FILE).problems, [
    {
      line: 2,
      message: '"prev" is the hash of line 3, which comes after it: entries were reordered',
    },
    {
      line: 3,
      message:
        '"prev" is the hash of line 1, not line 2: line 2 was moved or inserted here (reordered)',
    },
  ]);
  assert.deepEqual(verifyOverrideLog(text([b, a, c]), FILE).problems[0], {
    line: 1,
    message: '"prev" is the hash of line 2, which comes after it: entries were reordered',
  });
});

Deno.test("verifyOverrideLog() reports malformed lines and missing fields", () => {
  const [a] = chain(1);
  const noReason = JSON.stringify({ ...JSON.parse(a), reason: undefined });
  assert.deepEqual(verifyOverrideLog(`${noReason}\nnot json\n`, FILE).problems, [
    { line: 1, message: 'missing "reason": the entry was edited or truncated' },
    { line: 2, message: "not valid JSON: the entry was edited or truncated" },
  ]);
  assert.deepEqual(verifyOverrideLog(a, FILE).problems, [{
    line: 1,
    message: `${FILE} does not end with a newline: its last entry was truncated or edited`,
  }]);
});

Deno.test("checkLogOnlyGrows() accepts appended entries and refuses changed committed ones", () => {
  const lines = chain(3);
  assert.deepEqual(checkLogOnlyGrows("", text(lines), FILE), []);
  assert.deepEqual(checkLogOnlyGrows(text(lines.slice(0, 2)), text(lines), FILE), []);
  assert.deepEqual(checkLogOnlyGrows(text(lines), text(lines.slice(0, 2)), FILE), [
    { line: 3, message: `line 3 of the committed ${FILE} was removed: the log is append-only` },
  ]);
  // Rewriting the whole chain from an edited entry keeps it valid but is still refused.
  const forged = chain(3);
  forged[1] = formatEntry({ ...entry(2), reason: "forged", prev: lineHash(forged[0]) });
  forged[2] = formatEntry({ ...entry(3), prev: lineHash(forged[1]) });
  assert.deepEqual(verifyOverrideLog(text(forged), FILE).problems, []);
  assert.deepEqual(checkLogOnlyGrows(text(lines), text(forged), FILE), [
    { line: 2, message: `line 2 of the committed ${FILE} was changed: the log is append-only` },
  ]);
});

Deno.test("appendedEntries() returns only the entries after the committed log", () => {
  const lines = chain(3);
  const reasons = (oldText: string, newText: string) =>
    appendedEntries(oldText, newText, FILE).map((e) => e.reason);
  assert.deepEqual(reasons("", text(lines)), ["reason 1", "reason 2", "reason 3"]);
  assert.deepEqual(reasons(text(lines.slice(0, 2)), text(lines)), ["reason 3"]);
  assert.deepEqual(reasons(text(lines), text(lines)), []);
  assert.deepEqual(reasons(text(lines.slice(1)), text(lines)), []);
  assert.deepEqual(reasons(lines[0], `${lines[0]}\n${lines[1]}\n`), []);
});

Deno.test("appendOverrideEntries() creates the log, chains entries and refuses a broken log", async () => {
  const root = await Deno.makeTempDir();
  const path = join(root, FILE);
  await appendOverrideEntries(root, [entry(1), entry(2)]);
  await appendOverrideEntries(root, [entry(3)]);
  assert.equal(await Deno.readTextFile(path), text(chain(3)));
  await appendOverrideEntries(root, []);
  assert.equal(await Deno.readTextFile(path), text(chain(3)));

  const lines = chain(3);
  await Deno.writeTextFile(path, text([lines[0], lines[2]]));
  await assert.rejects(() => appendOverrideEntries(root, [entry(4)]), (error: unknown) => {
    assert.ok(error instanceof CheckError);
    assert.equal(error.message, `${FILE} is damaged; no override can be recorded`);
    assert.deepEqual(error.location, { file: FILE, line: 2 });
    return true;
  });
  assert.equal(await Deno.readTextFile(path), text([lines[0], lines[2]]));
  await Deno.remove(root, { recursive: true });
});

Deno.test("appendOverrideEntries() keeps the chain valid under concurrent appends", async () => {
  const root = await Deno.makeTempDir();
  await Promise.all([1, 2, 3, 4, 5, 6].map((n) => appendOverrideEntries(root, [entry(n)])));
  const { entries, problems } = verifyOverrideLog(await Deno.readTextFile(join(root, FILE)), FILE);
  assert.deepEqual(problems, []);
  assert.equal(entries.length, 6);
  await Deno.remove(root, { recursive: true });
});

Deno.test("resolveOperator() prefers MLP_OPERATOR, then git user.email, else refuses", async () => {
  const root = await Deno.makeTempDir();
  const git = (...args: string[]) =>
    new Deno.Command("git", { args, cwd: root, env: { GIT_CONFIG_GLOBAL: "/dev/null" } }).output();
  await git("init", "-q");
  assert.equal(await resolveOperator(root, { MLP_OPERATOR: " agent:claude " }), "agent:claude");
  await git("config", "user.email", "ana@example.com");
  assert.equal(await resolveOperator(root, {}), "ana@example.com");
  await git("config", "--unset", "user.email");
  const saved = Deno.env.get("GIT_CONFIG_GLOBAL");
  Deno.env.set("GIT_CONFIG_GLOBAL", "/dev/null");
  try {
    await assert.rejects(() => resolveOperator(root, {}), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.message, "Cannot tell who the operator is: the audit log must name one");
      return true;
    });
  } finally {
    if (saved === undefined) Deno.env.delete("GIT_CONFIG_GLOBAL");
    else Deno.env.set("GIT_CONFIG_GLOBAL", saved);
  }
  await Deno.remove(root, { recursive: true });
});

Deno.test("appendedFrom() counts the entries a log had before an append, and all of a rewrite", () => {
  const first = formatEntry({ ...entry(1), prev: GENESIS });
  const second = formatEntry({ ...entry(2), prev: lineHash(first) });
  assert.equal(appendedFrom("", `${first}\n${second}\n`, FILE), 0);
  assert.equal(appendedFrom(`${first}\n`, `${first}\n${second}\n`, FILE), 1);
  assert.equal(appendedFrom(`${first}\n${second}\n`, `${first}\n${second}\n`, FILE), 2);
  assert.equal(appendedFrom(`${second}\n`, `${first}\n${second}\n`, FILE), 2);
});

import assert from "node:assert/strict";
import { tokenizePython } from "./python_tokens.ts";

function values(source: string): string[] {
  return tokenizePython(source).map((t) => t.value);
}

Deno.test("tokenizePython() drops comments and keeps names, ops and line numbers", () => {
  const tokens = tokenizePython("a = b.fit(x)  # c.fit(y)\nz\n");
  assert.deepEqual(tokens.map((t) => [t.kind, t.value, t.line, t.column]), [
    ["name", "a", 1, 1],
    ["op", "=", 1, 3],
    ["name", "b", 1, 5],
    ["op", ".", 1, 6],
    ["name", "fit", 1, 7],
    ["op", "(", 1, 10],
    ["name", "x", 1, 11],
    ["op", ")", 1, 12],
    ["newline", "\n", 1, 25],
    ["name", "z", 2, 1],
    ["newline", "\n", 2, 2],
  ]);
});

Deno.test("tokenizePython() reads triple-quoted strings and docstrings as one token", () => {
  const tokens = tokenizePython('def f():\n    """Call m.fit(x).\n    """\n    return 1\n');
  const doc = tokens.find((t) => t.kind === "string")!;
  assert.equal(doc.value, '"""Call m.fit(x).\n    """');
  assert.equal(doc.line, 2);
  assert.deepEqual(tokens.filter((t) => t.kind === "name").map((t) => [t.value, t.line]), [
    ["def", 1],
    ["f", 1],
    ["return", 4],
  ]);
});

Deno.test("tokenizePython() handles string prefixes, escapes and quotes inside strings", () => {
  assert.deepEqual(values(`rb'a\\'b' + Br"x" + u'"' + 'it\\'s'\n`), [
    "rb'a\\'b'",
    "+",
    'Br"x"',
    "+",
    "u'\"'",
    "+",
    "'it\\'s'",
    "\n",
  ]);
  assert.deepEqual(values("'''a ''' b"), ["'''a '''", "b", "\n"]);
});

Deno.test("tokenizePython() tokenizes f-string replacement fields as code, PEP 701 quotes included", () => {
  const tokens = tokenizePython('s = f"{d["k"]:>{w}} {{m.fit(x)}} {m.fit(x)!r}"\n');
  assert.deepEqual(tokens.map((t) => t.value), [
    "s",
    "=",
    'f"{d["k"]:>{w}} {{m.fit(x)}} {m.fit(x)!r}"',
    "d",
    "[",
    '"k"',
    "]",
    ":",
    ">",
    "{",
    "w",
    "}",
    "m",
    ".",
    "fit",
    "(",
    "x",
    ")",
    "!",
    "r",
    "\n",
  ]);
});

Deno.test("tokenizePython() joins lines inside brackets and after backslashes", () => {
  assert.deepEqual(values("x = (a\n  .fit(b))\ny = c \\\n  .d\n"), [
    "x",
    "=",
    "(",
    "a",
    ".",
    "fit",
    "(",
    "b",
    ")",
    ")",
    "\n",
    "y",
    "=",
    "c",
    ".",
    "d",
    "\n",
  ]);
});

Deno.test("tokenizePython() reads numbers, including exponents and hex", () => {
  assert.deepEqual(values("1e-5 + 0xFE + .5j + 1_000.0"), [
    "1e-5",
    "+",
    "0xFE",
    "+",
    ".5j",
    "+",
    "1_000.0",
    "\n",
  ]);
});

Deno.test("tokenizePython() ends an unterminated single-quoted string at the line end", () => {
  assert.deepEqual(values("a = 'oops\nb.fit(x)\n").slice(0, 4), ["a", "=", "'oops", "\n"]);
  assert.equal(values("a = 'oops\nb.fit(x)\n")[5], ".");
});

Deno.test("tokenizePython() handles CRLF line ends", () => {
  const tokens = tokenizePython("a\r\nb.c\r\n");
  assert.deepEqual(tokens.map((t) => [t.value, t.line]), [
    ["a", 1],
    ["\n", 1],
    ["b", 2],
    [".", 2],
    ["c", 2],
    ["\n", 2],
  ]);
});

Deno.test("tokenizePython() gives names as Python reads them: NFKC-normalized, astral letters too", () => {
  const names = tokenizePython("model.ｆｉｔ(X)\nm.𝐟𝐢𝐭(Y)\nm.ﬁt(Z)\nｍｌｆｌｏｗ.x\n")
    .filter((t) => t.kind === "name")
    .map((t) => [t.value, t.line, t.column]);
  assert.deepEqual(names, [
    ["model", 1, 1],
    ["fit", 1, 7],
    ["X", 1, 11],
    ["m", 2, 1],
    ["fit", 2, 3],
    ["Y", 2, 10],
    ["m", 3, 1],
    ["fit", 3, 3],
    ["Z", 3, 6],
    ["mlflow", 4, 1],
    ["x", 4, 8],
  ]);
});

import assert from "node:assert/strict";
import { simpleCommands } from "./shell_commands.ts";

const words = (script: string) => simpleCommands(script).map((c) => c.words);

Deno.test("simpleCommands() splits at operators and unquoted newlines only", () => {
  assert.deepEqual(words("a && b || c; d | e & f\ng"), [
    ["a"],
    ["b"],
    ["c"],
    ["d"],
    ["e"],
    ["f"],
    ["g"],
  ]);
  assert.deepEqual(words("python -c 'import x\nx.run()' && ls"), [
    ["python", "-c", "import x\nx.run()"],
    ["ls"],
  ]);
  assert.deepEqual(words("(cd src && ls)"), [["cd", "src"], ["ls"]]);
  assert.deepEqual(words("echo a \\\n  b"), [["echo", "a", "b"]]);
});

Deno.test("simpleCommands() splits out command substitutions, quoted or not", () => {
  assert.deepEqual(words('echo "$(cat a) and $(cat b)"'), [
    ["echo", "$(cat a) and $(cat b)"],
    ["cat", "a"],
    ["cat", "b"],
  ]);
  assert.deepEqual(words("x=$(python -c 'f(1)')"), [["x=$"], ["python", "-c", "f(1)"]]);
  assert.deepEqual(words("echo `git log -1`"), [["echo", "`git", "log", "-1`"], [
    "git",
    "log",
    "-1",
  ]]);
});

Deno.test("simpleCommands() keeps variables as written, and comments to their line", () => {
  assert.deepEqual(words("FOO=1 env -u $NAME x # y\nz"), [["FOO=1", "env", "-u", "$NAME", "x"], [
    "z",
  ]]);
});

Deno.test("simpleCommands() records redirections and a fed stdin", () => {
  assert.deepEqual(simpleCommands("make 2>&1 >> log &> all")[0].writes, ["log", "all"]);
  assert.deepEqual(simpleCommands("python < in.py > out"), [
    { words: ["python"], targets: ["in.py", "out"], writes: ["out"], stdinFed: true },
  ]);
  assert.deepEqual(simpleCommands("cat x | python")[1], {
    words: ["python"],
    targets: [],
    writes: [],
    stdinFed: true,
  });
});

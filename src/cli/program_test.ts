import assert from "node:assert/strict";
import { join } from "node:path";
import type { Command } from "commander";
import { withProject } from "../config/testing.ts";
import { buildProgram } from "./program.ts";
import { mlp } from "./testing.ts";

const HINT = "hint: `mlp --help` lists the commands; `mlp <command> --help` their options\n";

Deno.test("mlp exits 2 on a mistyped command or option at any depth, with a suggestion", async () => {
  await withProject(async (root) => {
    const cases: [string[], string][] = [
      [["dat", "ls"], "error: unknown command 'dat'\n(Did you mean data?)\n"],
      [
        ["run", "--overide-protected"],
        "error: unknown option '--overide-protected'\n(Did you mean --override-protected?)\n",
      ],
      [["data", "add"], "error: missing required argument 'paths'\n"],
      [["data", "verify", "--al"], "error: unknown option '--al'\n(Did you mean --all?)\n"],
      [["hook", "pre-comit"], "error: unknown command 'pre-comit'\n(Did you mean pre-commit?)\n"],
      [["run", "--config"], "error: option '-c, --config <path>' argument missing\n"],
    ];
    for (const [args, message] of cases) {
      assert.deepEqual(
        await mlp(root, args),
        { code: 2, stdout: "", stderr: message + HINT },
        args.join(" "),
      );
    }
  });
});

Deno.test("mlp --version and --help exit 0 on stdout", async () => {
  await withProject(async (root) => {
    const version = await mlp(root, ["--version"]);
    assert.deepEqual(version, { code: 0, stdout: "0.1.0\n", stderr: "" });
    const help = await mlp(root, ["run", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: mlp run \[options\]/);
    assert.match(help.stdout, /Example:\n {2}mlp run --config configs\/experiment.yaml\n/);
  });
});

Deno.test("every command's --help shows an example", () => {
  const leaves = (command: Command, path: string[]): [string, Command][] =>
    command.commands.length === 0
      ? [[path.join(" "), command]]
      : command.commands.flatMap((sub) => leaves(sub, [...path, sub.name()]));
  const commands = leaves(buildProgram(), []);
  assert.ok(commands.length >= 12, `${commands.length} commands`);
  for (const [name, command] of commands) {
    assert.match(fullHelp(command), /\nExample:\n {2}\S/, name);
  }
});

/** What `--help` prints, including the `addHelpText` parts that helpInformation() leaves out. */
function fullHelp(command: Command): string {
  let text = "";
  command.configureOutput({ writeOut: (chunk) => text += chunk });
  command.outputHelp();
  return text;
}

Deno.test("a file operation the operating system refuses exits 1 naming the path, not as a bug", async () => {
  await withProject(async (root) => {
    await Deno.mkdir(join(root, "data"));
    await Deno.writeTextFile(join(root, "data/shadow"), "a file where the store belongs\n");
    await Deno.writeTextFile(join(root, "x.csv"), "a,b\n1,2\n");
    assert.deepEqual(await mlp(root, ["data", "add", "x.csv"]), {
      code: 1,
      stdout: "",
      stderr: `error: File exists (os error 17): mkdir '${join(root, "data/shadow")}'\n` +
        "hint: the operating system refused a file operation on that path: fix it (a file where " +
        "a directory belongs, a missing directory) and run `mlp data add` again\n",
    });
  });
});

/**
 * `mlp data add` on a generated project with its real schema probe (uv, pandas): what an
 * interrupted add leaves behind.
 */
import { deepEqual, equal, fail } from "node:assert/strict";
import { join } from "node:path";
import { createProject, MLP_ROOT } from "../support/project.ts";

const names = (dir: string) => [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();

Deno.test("mlp data add: Ctrl-C leaves data/shadow as it was and exits 130", async () => {
  const project = await createProject({ rows: 500 });
  const shadow = join(project.root, "data/shadow");
  const before = names(shadow);
  await Deno.mkdir(join(project.root, "incoming"));
  await Deno.writeTextFile(join(project.root, "incoming/extra.csv"), "id,amount\n1,2.5\n2,3.0\n");

  const add = new Deno.Command(join(MLP_ROOT, "bin/mlp"), {
    args: ["data", "add", "incoming/extra.csv"],
    cwd: project.root,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  let exited = false;
  const output = add.output().finally(() => exited = true);
  // Interrupt once the add has begun its staging copy: it lasts at least as long as the schema
  // probe's Python start (about a second), so the order, not a time, decides.
  while (!names(shadow).some((name) => name.startsWith(".staging-"))) {
    if (exited) {
      fail(`the add ended first:\n${new TextDecoder().decode((await output).stderr)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  add.kill("SIGINT");
  const { code, stdout, stderr } = await output;
  const text = new TextDecoder();
  equal(code, 130, text.decode(stderr));
  equal(text.decode(stdout), "");
  equal(
    text.decode(stderr),
    "error: Interrupted: the dataset was not added\n" +
      "hint: nothing was stored (the partial copy is removed); run `mlp data add` again\n",
  );
  deepEqual(names(shadow), before);
});

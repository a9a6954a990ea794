/**
 * The template's Dockerfile, without building it (the build is tests/container/container_suite.ts):
 * hadolint is clean on it, and .dockerignore keeps out everything .gitignore does (the MLflow
 * store, production data, mlp's working area, the environment).
 */
import { deepEqual, equal } from "node:assert/strict";
import { join } from "node:path";
import { exec, MLP_ROOT } from "../support/project.ts";

/** The patterns of an ignore file: its lines without comments and blank lines. */
function patterns(text: string): string[] {
  return text.split("\n").map((line) => line.trim()).filter((line) =>
    line !== "" && !line.startsWith("#")
  );
}

// Copier copies files without the .jinja suffix as they are, so this is the generated Dockerfile
// (the container suite lints the one of a generated project too, before building it).
Deno.test("hadolint is clean on the template's Dockerfile, which Copier copies verbatim", async () => {
  const template = join(MLP_ROOT, "template");
  const names = (await Array.fromAsync(Deno.readDir(template))).map((entry) => entry.name);
  deepEqual(names.filter((name) => name.startsWith("Dockerfile")), ["Dockerfile"]);
  const lint = await exec("hadolint", ["--no-color", "Dockerfile"], template);
  equal(lint.stdout + lint.stderr, "");
  equal(lint.code, 0);
});

Deno.test("template/.dockerignore keeps out every path template/.gitignore names", async () => {
  const read = (name: string) => Deno.readTextFile(join(MLP_ROOT, "template", name));
  const docker = new Set(patterns(await read(".dockerignore")));
  deepEqual(patterns(await read(".gitignore")).filter((p) => !docker.has(p)), []);
});

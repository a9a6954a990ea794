/**
 * The template's CI files, without running them (tests/e2e/ci_workflow_test.ts runs the check
 * they call): actionlint is clean on the GitHub workflow, and both CI files call the one script.
 * actionlint checks the workflow's `run:` steps with shellcheck (both from .tools/, `make tools`),
 * and shellcheck the script itself.
 */
import { equal, match } from "node:assert/strict";
import { join } from "node:path";
import { exec, MLP_ROOT } from "../support/project.ts";

const TEMPLATE = join(MLP_ROOT, "template");
const SCRIPT = "scripts/ci/mlp_check.sh";

// Copier copies files without the .jinja suffix as they are, so these are the generated files.
Deno.test("actionlint is clean on the template's workflow, which Copier copies verbatim", async () => {
  const lint = await exec("actionlint", ["-no-color", ".github/workflows/mlp.yml"], TEMPLATE);
  equal(lint.stdout + lint.stderr, "");
  equal(lint.code, 0);
});

Deno.test("the GitHub workflow and the GitLab pipeline both run the one check script", async () => {
  const read = (path: string) => Deno.readTextFile(join(TEMPLATE, path));
  match(await read(".github/workflows/mlp.yml"), /^ +run: bash scripts\/ci\/mlp_check\.sh$/m);
  match(await read(".gitlab-ci.yml"), /^ +- bash scripts\/ci\/mlp_check\.sh$/m);
  const mode = (await Deno.stat(join(TEMPLATE, SCRIPT))).mode!;
  equal(mode & 0o111, 0o111, `${SCRIPT} is executable`);
});

Deno.test("shellcheck is clean on the check script", async () => {
  const lint = await exec("shellcheck", [SCRIPT], TEMPLATE);
  equal(lint.stdout + lint.stderr, "");
  equal(lint.code, 0);
});

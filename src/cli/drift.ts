/**
 * `mlp drift`: the project's scaffold files against mlp's template at the version the project
 * records (src/drift/drift.ts).
 *
 * @module
 */
import type { Command } from "commander";
import { CheckError } from "../errors.ts";
import { scaffoldDrift } from "../drift/drift.ts";
import { findProjectRoot } from "../project/paths.ts";

const KIND_TEXT = {
  changed: "differs from the template's",
  missing: "is missing (the template generates it)",
  extra: "is not the template's",
} as const;

/** Registers `mlp drift` on the program. */
export function registerDrift(program: Command): void {
  program
    .command("drift")
    .description(
      "Compare the scaffold files with mlp's template at the version .copier-answers.yml records.",
    )
    .option("--patch", "print only the diffs, template to project (`| git apply -R` reverts them)")
    .addHelpText(
      "after",
      `
Renders the template with the real Copier (copier copy --vcs-ref <_commit> <_src_path>) and the
project's answers, and compares every file it generates outside src/, configs/, data/ and logs/
(the project's own) with the work tree, plus any extra file in .githooks/. Exit 0 when they match,
1 with each differing file, its diff and the fix.

Example:
  mlp drift
  mlp drift --patch | git apply -R`,
    )
    .action(async (flags: { patch?: boolean }) => {
      const { template, findings } = await scaffoldDrift(findProjectRoot());
      if (flags.patch) {
        for (const finding of findings) Deno.stdout.writeSync(encode(finding.diff));
        return;
      }
      const version = `the template "${template.src}" at ${template.commit}`;
      if (findings.length === 0) {
        console.log(`ok: every scaffold file matches ${version}`);
        return;
      }
      for (const finding of findings) {
        console.log(`${finding.file}: ${KIND_TEXT[finding.kind]}`);
        console.log(finding.diff.trimEnd());
        console.log(`  how to proceed: ${finding.fix}`);
      }
      const count = findings.length === 1
        ? "1 scaffold file differs"
        : `${findings.length} scaffold files differ`;
      throw new CheckError(`${count} from ${version} (listed above)`, {
        hint: "scaffold files change only with `copier update`: restore each as described",
      });
    });
}

function encode(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * `mlp guard [PATH…]`: the pre-commit hook's training guard over the project's files, for the
 * project's own tests (template/tests/test_src_guard.py) and for anyone before a commit.
 *
 * @module
 */
import type { Command } from "commander";
import { CheckError } from "../errors.ts";
import { guardProject } from "../guard/guard_project.ts";
import { findProjectRoot } from "../project/paths.ts";
import { printFindings } from "./findings.ts";

/** Adds `mlp guard` to the command tree. */
export function registerGuard(program: Command): void {
  program
    .command("guard")
    .description(
      "Run the pre-commit hook's training guard over the project's files (or the given ones).",
    )
    .argument("[paths...]", "files or folders to check (default: every file a commit could hold)")
    .addHelpText(
      "after",
      `
Finds training (.fit(, .train(, .partial_fit(, .fit_predict(, .fit_transform(, cross_val_score, …)
and MLflow logging (mlflow.start_run, mlflow.log_*, MlflowClient's log_* and set_tag, …) outside
tests/ and scripts/, however it is reached: import aliases, NFKC look-alike names, getattr,
partial and method aliases, strings run by exec/eval, mlflow imported by name. Code the guard
cannot read (exec of a variable, a loader of another file, compiled .pyc) is refused. Comments,
strings and docstrings do not count. It reads .py and .pyw files, notebooks' code cells (the
Python of %time and %%timeit too), executables with a Python shebang, and symlinks as their
targets. Without paths it checks the files git tracks or would add (ignored files, such as .venv/,
are left out). The same rule and code as \`mlp hook pre-commit\`; exit code 1 when anything is
found, each as file:line: message.

Example:
  mlp guard
  mlp guard src/features.py notebooks/`,
    )
    .action(async (paths: string[]) => {
      const report = await guardProject(findProjectRoot(), paths, Deno.cwd());
      for (const { path, reason } of report.skipped) {
        console.error(`mlp: skipped "${path}": ${reason}`);
      }
      const files = report.checked.length === 1 ? "1 file" : `${report.checked.length} files`;
      if (report.problems.length > 0) {
        printFindings(report.problems);
        const count = report.problems.length === 1
          ? "1 problem"
          : `${report.problems.length} problems`;
        throw new CheckError(
          `Training guard: ${count} in the ${files} checked (listed above)`,
          { hint: "fix each one as described; `mlp guard` checks again" },
        );
      }
      console.log(`ok: ${files} checked, no training or MLflow calls outside \`mlp run\``);
    });
}

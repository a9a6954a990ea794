/**
 * `mlp promote` and `mlp models`: the boundary to production (src/promote/, docs/promotion.md).
 *
 * @module
 */
import type { Command } from "commander";
import { InputError } from "../errors.ts";
import { findProjectRoot } from "../project/paths.ts";
import { formatModels, listModels } from "../promote/models.ts";
import { promoteRun } from "../promote/promote.ts";
import { revokePromotion } from "../promote/revoke.ts";
import { printErr, printOut } from "./output.ts";

interface PromoteFlags {
  intendedUse?: string;
  revoke?: boolean;
  reason?: string;
  signKey?: string;
  json?: boolean;
}

/** Registers `mlp promote` and `mlp models` on the program. */
export function registerPromote(program: Command): void {
  program
    .command("promote")
    .description(
      "Make a run's model the champion of the project's registered model (a person only; audited).",
    )
    .argument("<run-id>", "the MLflow run ID `mlp run` printed")
    .option(
      "--intended-use <text>",
      "what the model is for and for whom (the model card's purpose)",
    )
    .option("--revoke", "take the run's model out of production: the previous champion returns")
    .option("--reason <text>", "with --revoke: why, for the audit log")
    .option(
      "--sign-key <path>",
      "the approver's SSH key that signs the promotion or revocation " +
        "(default: git's user.signingkey when gpg.format is ssh)",
    )
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Checks, each refused with its fix (nothing is written then): operator (a person, not an AI
agent); not promoted (a run is promoted once); finished (FINISHED); clean tree (git_dirty=false);
proves its commit (the check of \`mlp verify-run\`); on the main branch (its commit is on main,
so it went through the merge gate); dataset (verifies byte for byte now); protected fields (equal
to configs/project_standards.yaml on main); no escape hatch (no --override-protected, no
--unsandboxed); model scores (the model, loaded in the sandbox, scores raw rows of the dataset).

Then: a "promotion" entry in logs/protected_overrides.log (commit it); the model card as params
card.* of the run and tags of the new version of the registered model <client>.<project>; the
run tags promoted, promotion_timestamp, promoted_by; the alias champion on the new version, so
models:/<client>.<project>@champion loads it. An interrupted promotion is finished by the same
command. --revoke moves champion back to the previous champion (or removes it) and is logged the
same way. When configs/project_standards.yaml on the main branch lists approvers, the entry must
be signed by one who may approve promotions (--sign-key, ssh-keygen -Y sign, namespace
mlp-approval); otherwise it is recorded unsigned, with a warning (docs/promotion.md).

Example:
  mlp promote 0123456789abcdef0123456789abcdef --intended-use "Retail credit applications, underwriting"
  mlp promote --revoke 0123456789abcdef0123456789abcdef --reason "drift on Q3 applications"`,
    )
    .action(async (runId: string, flags: PromoteFlags) => {
      const root = findProjectRoot();
      const env = Deno.env.toObject();
      if (flags.revoke) {
        if (flags.intendedUse !== undefined) {
          throw new InputError("--intended-use is not used with --revoke", {
            hint: 'give the reason instead: --revoke RUN_ID --reason "<why>"',
          });
        }
        const done = await revokePromotion({
          root,
          env,
          runId,
          reason: flags.reason,
          signKey: flags.signKey,
          log: printErr,
        });
        printOut(
          flags.json
            ? JSON.stringify(done)
            : `${done.name} v${done.version} (run ${done.runId}) revoked; ` +
              (done.champion === null ? "no champion now" : `champion is v${done.champion}`) +
              `\ncommit logs/protected_overrides.log: it holds the revocation`,
        );
        return;
      }
      if (flags.reason !== undefined) {
        throw new InputError("--reason is only used with --revoke", {
          hint: 'a promotion says what the model is for: --intended-use "<purpose>"',
        });
      }
      const done = await promoteRun({
        root,
        env,
        runId,
        intendedUse: flags.intendedUse,
        signKey: flags.signKey,
        log: printErr,
      });
      printOut(
        flags.json
          ? JSON.stringify(done)
          : `${done.name} v${done.version} is champion: run ${done.runId}, ` +
            `promoted by ${done.operator} (${done.scoredRows} raw rows scored in the sandbox)` +
            (done.previous === null ? "" : `; previous champion v${done.previous}`) +
            `\nload it with mlflow.pyfunc.load_model("models:/${done.name}@champion")` +
            `\ncommit logs/protected_overrides.log: it holds the promotion`,
      );
    });

  program
    .command("models")
    .description("List the versions of the project's registered model and which one is champion.")
    .option("--name <name>", "another registered model (default: <client_name>.<project_name>)")
    .option("--json", "print the listing as JSON")
    .addHelpText(
      "after",
      `
Example:
  mlp models
  mlp models --json`,
    )
    .action(async (flags: { name?: string; json?: boolean }) => {
      const listing = await listModels(
        findProjectRoot(),
        Deno.env.toObject(),
        printErr,
        flags.name,
      );
      printOut(flags.json ? JSON.stringify(listing) : formatModels(listing));
    });
}

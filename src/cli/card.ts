/**
 * `mlp card RUN_ID [--format md|html] [--output FILE]`: the model card of a run, from its record
 * in MLflow alone (logic in `src/card/`, docs/model-card.md).
 *
 * @module
 */
import type { Command } from "commander";
import { resolve } from "node:path";
import { CARD_FORMATS, type CardFormat, writeCard } from "../card/card.ts";
import { CheckError, InputError } from "../errors.ts";
import { findProjectRoot } from "../project/paths.ts";
import { printErr } from "./output.ts";

/** Registers `mlp card` on the program. */
export function registerCard(program: Command): void {
  program
    .command("card")
    .description("Write the model card of a run, from its record in MLflow alone.")
    .argument("<run-id>", "the MLflow run ID `mlp run` printed, or its first 8 or more characters")
    .option("--format <format>", "md or html", "md")
    .option("--output <file>", "write the card to this file instead of stdout")
    .addHelpText(
      "after",
      `
Sections: purpose, data (hashes, rows, target rate, the run's data summary), features, model and
hyperparameters, every metric with its fold spread, the ROC curve, the chain of experiments back
through each run's baseline, the risk checklist, limitations and approval. Everything comes from
the store configs/project_standards.yaml names, nothing from the work tree. The HTML card is one
file (the ROC plot inlined); with --output, the Markdown card's plot is written beside it as
<name>.roc_curve.png. Exit 1 when the run's seal does not hold: the card is written all the same,
and says so at its top.

Example:
  mlp card 0123abcd
  mlp card 0123456789abcdef0123456789abcdef --format html --output card.html`,
    )
    .action(async (runId: string, flags: { format: string; output?: string }) => {
      if (!(CARD_FORMATS as readonly string[]).includes(flags.format)) {
        throw new InputError(`--format "${flags.format}" is not a card format`, {
          hint: "use --format md or --format html",
        });
      }
      const done = await writeCard({
        root: findProjectRoot(),
        env: Deno.env.toObject(),
        runId,
        format: flags.format as CardFormat,
        output: flags.output === undefined ? undefined : resolve(flags.output),
        log: printErr,
      });
      if (done.text !== null) {
        try {
          await Deno.stdout.write(new TextEncoder().encode(done.text));
        } catch {
          // stdout is gone: nobody reads the card.
        }
      }
      for (const file of done.files) printErr(`mlp: wrote ${file}`);
      if (done.seal.length > 0) {
        throw new CheckError(`Run ${done.runId}'s seal does not hold: ${done.seal[0]}`, {
          hint: "the card is written and says so at its top; `mlp verify-run --run " +
            `${done.runId}\` refuses the run for the same reason`,
        });
      }
    });
}

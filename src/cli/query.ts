/**
 * `mlp query changes | categories | approaches | runs-to-target | history`: what the lab learned,
 * read straight from the MLflow stores (docs/queries.md). The answer goes to stdout; how many
 * runs were counted and which were left out, and why, to stderr. The work is in
 * `query_exec.ts`, imported only when a query runs, so other commands start as fast as before.
 *
 * @module
 */
import type { Command } from "commander";
import { FORMATS } from "../query/formats.ts";
import type { CommonFlags, QuestionFlags } from "./query_exec.ts";

const collect = (value: string, previous: string[]) => [...previous, value];

async function question(name: string, flags: CommonFlags & QuestionFlags): Promise<void> {
  const { runQuestion } = await import("./query_exec.ts");
  await runQuestion(name, flags);
}

function addCommon(command: Command, projectScoped: boolean): Command {
  command
    .option(
      "--store <uri|path>",
      "a store to read: a project folder, a mlflow.db file, sqlite:///… or http(s)://server " +
        "(repeatable; default: MLFLOW_TRACKING_URI, else the project's mlflow.db)",
      collect,
      [],
    )
    .option("--since <date>", "only runs started at or after this date (UTC)")
    .option("--client <name>", "only this client's runs (repeatable)", collect, [])
    .option("--project <name>", "only this project's runs (repeatable)", collect, [])
    .option("--format <format>", `output: ${FORMATS.join(", ")}`, "table")
    .option("--plot <file>", "also draw the answer to FILE.svg or FILE.png (Vega-Lite)")
    .option("--verify", "check each counted run's seal in full (params, metrics, artifacts)");
  if (projectScoped) {
    command.option(
      "--all-projects",
      "every project in the stores (default: the current project, when inside one)",
    );
  }
  return command;
}

/** Registers `mlp query` and its subcommands on the program. */
export function registerQuery(program: Command): void {
  const query = program
    .command("query")
    .description(
      "Ask the MLflow stores what was tried, what worked and how fast (docs/queries.md).",
    )
    .addHelpText(
      "after",
      `
Only runs that mlp run recorded and sealed count: FINISHED, not deleted, with an mlp.seal tag.
The others are counted on stderr with the reason. --verify checks each counted run's seal in full.`,
    );

  addCommon(
    query.command("changes").description(
      "Experiment changes ranked by improvement (metric_delta), biggest first.",
    ),
    true,
  ).option("--top <n>", "how many to list", "20")
    .addHelpText(
      "after",
      "\nExample:\n  mlp query changes --top 10\n  mlp query changes --format csv",
    )
    .action((flags: CommonFlags & QuestionFlags) => question("changes", flags));

  addCommon(
    query.command("categories").description(
      "Per hypothesis category: runs, confirmed / neutral / negative, confirmation rate, " +
        "mean and median improvement.",
    ),
    true,
  ).addHelpText("after", "\nExample:\n  mlp query categories --all-projects --format markdown")
    .action((flags: CommonFlags & QuestionFlags) => question("categories", flags));

  addCommon(
    query.command("approaches").description(
      "Across clients: which model types and hypothesis categories did best, per use case.",
    ),
    false,
  ).option("--use-case <use_case>", "only runs of this use case (tag use_case)")
    .addHelpText("after", "\nExample:\n  mlp query approaches --use-case credit_risk")
    .action((flags: CommonFlags & QuestionFlags) => question("approaches", flags));

  addCommon(
    query.command("runs-to-target").description(
      "Per project, how many runs it took to first reach a metric value; mean and median.",
    ),
    false,
  ).requiredOption("--metric <metric>", "the metric, e.g. roc_auc")
    .requiredOption("--target <value>", "the value to reach (at least, or at most for log_loss)")
    .addHelpText("after", "\nExample:\n  mlp query runs-to-target --metric roc_auc --target 0.8")
    .action((flags: CommonFlags & QuestionFlags) => question("runs-to-target", flags));

  addCommon(
    query.command("history").description(
      "The primary metric over time, with the best so far and each change labelled.",
    ),
    true,
  ).addHelpText("after", "\nExample:\n  mlp query history --plot history.svg")
    .action((flags: CommonFlags & QuestionFlags) => question("history", flags));
}

/**
 * What `mlp query` does once its arguments are parsed, loaded only when a query runs. What only
 * some queries need loads when they need it: the YAML and standards parsers inside a project, the
 * table and CSV packages for their formats, the plotting ones for `--plot`.
 *
 * @module
 */
import { join } from "node:path";
import { InputError } from "../errors.ts";
import { findProjectRoot, STANDARDS_PATH } from "../project/paths.ts";
import { directionOf, readDirections } from "../query/directions.ts";
import { type Format, formatResult } from "../query/format.ts";
import { FORMATS } from "../query/formats.ts";
import {
  approaches,
  categories,
  changes,
  history,
  QUESTION_FIELDS,
  runsToTarget,
} from "../query/questions.ts";
import { checkPlotFile } from "../query/render.ts";
import { runQuery } from "../query/run_query.ts";
import type { QueryField, QueryRun } from "../query/record.ts";
import type { QueryResult } from "../query/result.ts";
import { describeLeftOut, type RunFilter } from "../query/select.ts";
import { resolveStores } from "../query/stores.ts";
import type { Direction } from "../query/stats.ts";
import { printErr, printOut } from "./output.ts";

/** The flags every query takes, as Commander parses them. */
export interface CommonFlags {
  store: string[];
  since?: string;
  client: string[];
  project: string[];
  allProjects?: boolean;
  format: string;
  plot?: string;
  verify?: boolean;
}

/** The project mlp runs in: its root, client and project (null outside one). */
async function currentProject(): Promise<
  { root: string; client?: string; project?: string } | null
> {
  let root: string;
  try {
    root = findProjectRoot();
  } catch {
    return null;
  }
  try {
    const { parse } = await import("yaml");
    const config = parse(Deno.readTextFileSync(join(root, "configs/experiment.yaml")));
    return { root, client: config?.client_name, project: config?.project_name };
  } catch {
    return { root };
  }
}

/** `--since` as ms since the epoch. */
function parseSince(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    throw new InputError(`--since "${value}" is not a date`, {
      hint: "give an ISO date or time in UTC, e.g. 2026-11-01 or 2026-11-01T09:00:00Z",
    });
  }
  return ms;
}

/** Parses the shared flags and runs the query, printing its answer. */
export async function execute(
  name: string,
  flags: CommonFlags,
  projectScoped: boolean,
  answer: (runs: QueryRun[], direction: (metric: string) => Direction) => QueryResult,
  options: { fields: readonly QueryField[]; extraMetrics?: string[]; useCase?: string },
): Promise<void> {
  if (!(FORMATS as readonly string[]).includes(flags.format)) {
    throw new InputError(`--format "${flags.format}" is not an output format`, {
      hint: `use one of ${FORMATS.join(", ")}`,
    });
  }
  if (flags.plot) checkPlotFile(flags.plot);
  const here = await currentProject();
  const env = Deno.env.toObject();
  const stores = resolveStores(
    flags.store,
    env.MLFLOW_TRACKING_URI,
    here?.root ?? null,
    Deno.cwd(),
  );
  const filter: RunFilter = {
    sinceMs: parseSince(flags.since),
    clients: flags.client,
    projects: flags.project,
    useCase: options.useCase,
  };
  // A project's own questions default to that project; --all-projects or a filter widens them.
  if (
    projectScoped && !flags.allProjects && !flags.client.length && !flags.project.length &&
    here?.project
  ) {
    filter.clients = here.client ? [here.client] : [];
    filter.projects = [here.project];
  }
  let standards: string | null = null;
  if (here) {
    try {
      standards = Deno.readTextFileSync(join(here.root, STANDARDS_PATH));
    } catch {
      // Defaults apply.
    }
  }
  const direction = directionOf(await readDirections(standards));
  const outcome = await runQuery({
    stores,
    env,
    filter,
    fields: options.fields,
    extraMetrics: options.extraMetrics,
    verify: flags.verify,
    answer: (runs) => answer(runs, direction),
  });
  for (const b of outcome.broken) {
    printErr(`mlp query: left out run ${b.runId}: ${b.why.join("; ")}`);
  }
  printOut(
    await formatResult(outcome.result, flags.format as Format, outcome.counted, outcome.leftOut),
  );
  printErr(describeLeftOut(outcome.counted, outcome.leftOut));
  if (flags.plot) {
    const [{ plotSpec }, { writePlot }] = await Promise.all([
      import("../query/plot_spec.ts"),
      import("../query/render.ts"),
    ]);
    await writePlot(plotSpec(outcome.result, `mlp query ${name}`), flags.plot);
    printErr(`mlp query: wrote ${flags.plot}`);
  }
}

/** `value` of `flag` as a positive whole number. */
export function positiveInt(flag: string, value: string): number {
  if (!/^[1-9]\d*$/.test(value)) {
    throw new InputError(`${flag} "${value}" is not a positive whole number`, {
      hint: `e.g. ${flag} 10`,
    });
  }
  return Number(value);
}

/** The flags of each question besides the common ones. */
export interface QuestionFlags {
  top?: string;
  useCase?: string;
  metric?: string;
  target?: string;
}

/** Runs question `name` with its parsed flags. */
export function runQuestion(name: string, flags: CommonFlags & QuestionFlags): Promise<void> {
  switch (name) {
    case "changes": {
      const top = positiveInt("--top", flags.top!);
      return execute(name, flags, true, (runs) => changes(runs, top), {
        fields: QUESTION_FIELDS.changes,
      });
    }
    case "categories":
      return execute(name, flags, true, (runs) => categories(runs), {
        fields: QUESTION_FIELDS.categories,
      });
    case "approaches":
      return execute(name, flags, false, (runs, direction) => approaches(runs, direction), {
        fields: QUESTION_FIELDS.approaches,
        useCase: flags.useCase,
      });
    case "runs-to-target": {
      const target = Number(flags.target);
      if (flags.target!.trim() === "" || !Number.isFinite(target)) {
        throw new InputError(`--target "${flags.target}" is not a number`, {
          hint: "e.g. --target 0.8",
        });
      }
      const metric = flags.metric!;
      return execute(
        name,
        flags,
        false,
        (runs, direction) => runsToTarget(runs, metric, target, direction(metric)),
        { fields: QUESTION_FIELDS["runs-to-target"], extraMetrics: [metric] },
      );
    }
    default:
      return execute(name, flags, true, (runs, direction) => history(runs, direction), {
        fields: QUESTION_FIELDS.history,
      });
  }
}

/**
 * `mlp models`: the registered versions of the project's model, which one is champion, since
 * when, and who promoted each for what.
 *
 * @module
 */
import { readCommitted } from "../config/committed.ts";
import { parseExperiment } from "../config/experiment.ts";
import { parseStandards } from "../config/standards.ts";
import type { ModelVersionsEvent } from "../contract/events.ts";
import { CheckError } from "../errors.ts";
import { STANDARDS_PATH } from "../project/paths.ts";
import { registeredModelName } from "./names.ts";
import { listVersions } from "./registry.ts";
import { openPromotionStore } from "./store.ts";

/** The project's config, whose client and project name the registered model. */
const CONFIG_PATH = "configs/experiment.yaml";

/**
 * The registered model of the project at HEAD: `<client_name>.<project_name>` of its committed
 * configs/experiment.yaml.
 *
 * @throws {CheckError} when HEAD has no config or standards.
 */
export async function projectModelName(root: string): Promise<string> {
  const committed = await readCommitted(root);
  const [standards, config] = [
    await committed.text(STANDARDS_PATH),
    await committed.text(CONFIG_PATH),
  ];
  if (standards === null || config === null) {
    throw new CheckError(`HEAD has no ${standards === null ? STANDARDS_PATH : CONFIG_PATH}`, {
      hint: "run `mlp models` in a project generated from the template, after its first commit",
    });
  }
  const experiment = parseExperiment(
    config,
    CONFIG_PATH,
    parseStandards(standards, STANDARDS_PATH),
  );
  return registeredModelName(experiment.client_name, experiment.project_name);
}

/**
 * Lists the versions of `name` (the project's model by default).
 *
 * @throws {CheckError} when the store cannot be read.
 */
export async function listModels(
  root: string,
  env: Record<string, string | undefined>,
  log: (line: string) => void,
  name?: string,
): Promise<ModelVersionsEvent> {
  const model = name ?? await projectModelName(root);
  const { reader, trackingUri } = await openPromotionStore(root, env, log);
  reader.close();
  return await listVersions(root, trackingUri, model);
}

/** The listing as a table: version, champion mark, run, promoted (UTC), by, intended use. */
export function formatModels(event: ModelVersionsEvent): string {
  if (event.versions.length === 0) {
    return `${event.name}: no registered version yet (\`mlp promote RUN_ID --intended-use "…"\`)`;
  }
  const rows = event.versions.map((v) => [
    `v${v.version}`,
    v.version === event.champion ? "champion" : v.revoked ? "revoked" : "",
    v.run_id,
    new Date(v.created_ms).toISOString().slice(0, 19).replace("T", " "),
    v.promoted_by,
    v.intended_use,
  ]);
  const header = ["version", "alias", "run", "registered (UTC)", "promoted by", "intended use"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ");
  return [`${event.name}`, line(header), ...rows.map(line)].join("\n");
}

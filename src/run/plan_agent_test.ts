import { deepEqual, throws } from "node:assert/strict";
import { parseStandards } from "../config/standards.ts";
import { parseExperiment } from "../config/experiment.ts";
import { parseReasoning } from "../config/reasoning.ts";
import { buildRunPlan, type RunPlanInputs } from "./plan.ts";

const read = (path: string) => Deno.readTextFile(new URL(path, import.meta.url));
const standards = parseStandards(
  await read("../../configs/project_standards.yaml"),
  "configs/project_standards.yaml",
);
const experiment = parseExperiment(
  await read("../config/testdata/experiment.yaml"),
  "configs/experiment.yaml",
  standards,
);
const reasoning = parseReasoning(
  await read("../config/testdata/reasoning.yaml"),
  "configs/reasoning.yaml",
  standards,
  { agent: false },
);

function inputs(overrides: Partial<RunPlanInputs> = {}): RunPlanInputs {
  return {
    configFile: "configs/experiment.yaml",
    experiment,
    reasoning,
    allowedMetrics: ["f1", "roc_auc", "log_loss"],
    hyperparameterSpecs: standards.hyperparameters[experiment.model_type],
    fingerprints: {
      git_commit: "c".repeat(40),
      git_dirty: false,
      git_diff_hash: "e".repeat(64),
      dataset_hash: "d".repeat(64),
      dataset_schema_hash: "s".repeat(64),
      dependency_lock_hash: "l".repeat(64),
      feature_pipeline_hash: "f".repeat(64),
      project_code_hash: "c".repeat(64),
      mlp_version: "0.1.0",
      mlp_build: `0.1.0+ts.${"t".repeat(64)}.py.${"p".repeat(64)}`,
    },
    dataset: { dir: `data/shadow/${"d".repeat(64)}`, tables: ["data.parquet"] },
    operator: "ana@bank.test",
    sandbox: "landlock",
    scratchDir: ".mlp/runs/r1/scratch",
    projectSrc: ".mlp/runs/r1/src",
    platformDir: ".mlp/platform/abc",
    ...overrides,
  };
}

Deno.test("buildRunPlan() logs the agent.* params as given, and only those", () => {
  const agentParams = {
    "agent.source": "flags",
    "agent.tokens.total": "5000",
    "agent.cost_usd": "1.25",
  };
  const plan = buildRunPlan(inputs({ agentParams }));
  deepEqual(
    Object.fromEntries(Object.entries(plan.params).filter(([key]) => key.startsWith("agent."))),
    agentParams,
  );
  const none = buildRunPlan(inputs());
  deepEqual(Object.keys(none.params).filter((key) => key.startsWith("agent.")), []);
  throws(
    () => buildRunPlan(inputs({ agentParams: { model_type: "forged" } })),
    /buildRunPlan\(\): "model_type" is not an agent param/,
  );
});

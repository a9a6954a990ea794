/**
 * Golden tests of the contract across the language boundary, with the real Python of a client
 * environment (scripts/platform_env.sh): plans that `buildRunPlan` makes from the template's real
 * configs load in the platform's `load_plan`; every event the platform can send through `emit`
 * parses in mlp; the lists the Python code uses are mlp's.
 */
import { deepEqual, equal } from "node:assert/strict";
import { join } from "node:path";
import { parseExperiment } from "../config/experiment.ts";
import { parseReasoning } from "../config/reasoning.ts";
import { parseStandards, PLATFORM_MODEL_TYPES } from "../config/standards.ts";
import { parseEvent } from "../run/events.ts";
import { buildRunPlan } from "../run/plan.ts";
import { endedEventSchema, parseEventLine, taggedEventSchema } from "./events.ts";
import {
  END_STATUSES,
  HYPERPARAMETER_TYPES,
  INTERRUPT_SIGNALS,
  PLATFORM_METRICS,
  PLATFORM_SPLIT_STRATEGIES,
  REFUSAL_REASONS,
  RUN_STATUSES,
  SANDBOX_MODES,
  type SandboxMode,
} from "./lists.ts";
import type { Comparison, RunPlan } from "./plan.ts";
import { canonicalSeal, sealDigest, type SealRecord } from "./seal.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

const PYTHON = await (async () => {
  const out = await new Deno.Command(join(ROOT, "scripts/platform_env.sh"), {
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("scripts/platform_env.sh failed: see its output above");
  return new TextDecoder().decode(out.stdout).trim();
})();

/** Runs `code` with the platform Python (the package from this checkout) and returns its stdout. */
async function python(code: string, args: string[] = [], cwd = ROOT): Promise<string> {
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", code, ...args],
    cwd,
    env: { PYTHONPATH: join(ROOT, "src/python"), MLFLOW_DISABLE_TELEMETRY: "true" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  if (!out.success) throw new Error(`python failed:\n${text.decode(out.stderr)}`);
  return text.decode(out.stdout);
}

/** The template rendered by Copier with `answers`: its `configs/`, by file name. */
async function templateConfigs(
  parent: string,
  answers: Record<string, string>,
): Promise<Record<string, string>> {
  const dir = join(parent, Object.values(answers).join("-"));
  const out = await new Deno.Command("copier", {
    args: [
      "copy",
      "--quiet",
      "--trust",
      "--defaults",
      ...Object.entries({ project_name: "golden", client_name: "acme", ...answers })
        .flatMap(([key, value]) => ["--data", `${key}=${value}`]),
      ROOT,
      dir,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`copier failed:\n${new TextDecoder().decode(out.stderr)}`);
  const read = (name: string) => Deno.readTextFile(join(dir, "configs", name));
  return {
    standards: await read("project_standards.yaml"),
    experiment: await read("experiment.yaml"),
    reasoning: await read("reasoning.yaml"),
  };
}

/** The plan `mlp run` would write for a project with these configs. */
function planOf(
  configs: Record<string, string>,
  sandbox: SandboxMode,
  runName?: string,
  comparison: Comparison | null = null,
): RunPlan {
  const standards = parseStandards(configs.standards, "configs/project_standards.yaml");
  const hash = "d".repeat(64);
  const experiment = parseExperiment(
    configs.experiment.replace(/^dataset_version:.*$/m, `dataset_version: ${hash}`),
    "configs/experiment.yaml",
    standards,
  );
  return buildRunPlan({
    configFile: "configs/experiment.yaml",
    experiment,
    reasoning: parseReasoning(configs.reasoning, "configs/reasoning.yaml", standards, {
      agent: false,
    }),
    allowedMetrics: standards.allowed_metrics,
    hyperparameterSpecs: standards.hyperparameters[experiment.model_type],
    fingerprints: {
      git_commit: "c".repeat(40),
      git_dirty: false,
      git_diff_hash: "e".repeat(64),
      dataset_hash: hash,
      dataset_schema_hash: "s".repeat(64),
      dependency_lock_hash: "l".repeat(64),
      feature_pipeline_hash: "f".repeat(64),
      project_code_hash: "p".repeat(64),
      mlp_version: "0.1.0",
      mlp_build: `0.1.0+ts.${"t".repeat(64)}.py.${"p".repeat(64)}`,
    },
    dataset: { dir: `data/shadow/${hash}`, tables: ["applications.parquet"] },
    operator: "human:golden",
    sandbox,
    scratchDir: ".mlp/runs/20240101-000000-golden/scratch",
    projectSrc: ".mlp/runs/20240101-000000-golden/src",
    platformDir: ".mlp/platform/0123456789abcdef",
    runName,
    comparison,
  });
}

/** A comparison with a baseline of other folds, whose predictions are copied beside the plan. */
const COMPARISON: Comparison = {
  metric: "roc_auc",
  direction: "higher",
  min_effect: 0.002,
  confidence: 0.95,
  baseline: {
    run_id: "b".repeat(32),
    value: 0.75,
    fold_scores: [0.7, 0.8],
    same_folds: false,
    folds_differ: ["random_seed 7, not 42"],
    oof: { path: ".mlp/runs/20240101-000000-golden/baseline_oof.parquet", sha256: "0".repeat(64) },
  },
  better_elsewhere: { run_id: "e".repeat(32), value: 0.8, dataset_hash: "a".repeat(64) },
};

/** Loads each plan file with the platform's `load_plan` and prints what it read, paths relative. */
const LOAD_PLANS = `
import dataclasses, json, sys
from pathlib import Path
from mlp_platform.plan import load_plan

root = Path.cwd()
rel = lambda path: str(path.relative_to(root))

def comparison(c):
    if c is None:
        return None
    b = c.baseline
    base = None if b is None else {
        "run_id": b.run_id, "value": b.value, "fold_scores": b.fold_scores, "same_folds": b.same_folds,
        "folds_differ": b.folds_differ,
        "oof": None if b.oof_path is None else {"path": rel(b.oof_path), "sha256": b.oof_sha256},
    }
    return {"metric": c.metric, "direction": c.direction, "min_effect": c.min_effect,
            "confidence": c.confidence, "baseline": base, "better_elsewhere": c.better_elsewhere}
loaded = {}
for name in sys.argv[1:]:
    plan = load_plan(Path(name), root)
    loaded[name] = {
        "experiment_name": plan.experiment_name,
        "run_name": plan.run_name,
        "tags": plan.tags,
        "params": plan.params,
        "dataset": {"dir": rel(plan.dataset.dir), "hash": plan.dataset.hash,
                    "schema_hash": plan.dataset.schema_hash, "tables": plan.dataset.tables},
        "training": dataclasses.asdict(plan.training),
        "python_types": {k: type(v).__name__ for k, v in plan.training.hyperparameters.items()},
        "sandbox": {"mode": plan.sandbox.mode, "read_paths": [rel(p) for p in plan.sandbox.read_paths],
                    "write_paths": [rel(p) for p in plan.sandbox.write_paths],
                    "min_landlock_abi": plan.sandbox.min_landlock_abi},
        "project_src": rel(plan.project_src),
        "scratch_dir": rel(plan.scratch_dir),
        "platform_dir": rel(plan.platform_dir),
        "comparison": comparison(plan.comparison),
    }
print(json.dumps(loaded))
`;

const PYTHON_TYPE = { integer: "int", number: "float", string: "str", boolean: "bool" } as const;

Deno.test("a plan built from the template's configs loads in the platform as mlp wrote it", async () => {
  const parent = await Deno.makeTempDir({ prefix: "mlp-golden-" });
  try {
    // Every model type; both split strategies, sandboxed and not, a string positive class.
    const variants: [Record<string, string>, SandboxMode][] = [
      [{ model_type: "xgboost" }, "landlock"],
      [
        { model_type: "lightgbm", split_strategy: "temporal_split", metric: "f1" },
        "none",
      ],
      [{ model_type: "logistic_regression", positive_class: "bad" }, "none"],
      [{ model_type: "random_forest", split_strategy: "temporal_split" }, "landlock"],
    ];
    deepEqual(variants.map(([answers]) => answers.model_type), [...PLATFORM_MODEL_TYPES]);
    const configs = await Promise.all(
      variants.map(([answers]) => templateConfigs(parent, answers)),
    );
    const plans: Record<string, RunPlan> = {};
    for (const [i, [answers, sandbox]] of variants.entries()) {
      const name = `${answers.model_type}.json`;
      plans[name] = planOf(
        configs[i],
        sandbox,
        i === 1 ? "golden run" : undefined,
        i === 0 ? COMPARISON : i === 2 ? { ...COMPARISON, baseline: null } : null,
      );
      await Deno.writeTextFile(join(parent, name), JSON.stringify(plans[name], null, 2) + "\n");
    }
    equal(plans["lightgbm.json"].training.split_strategy, "temporal_split");
    equal(plans["logistic_regression.json"].training.positive_class, "bad");

    const loaded = JSON.parse(await python(LOAD_PLANS, Object.keys(plans), parent));
    for (const [name, plan] of Object.entries(plans)) {
      const { plan_version: _, sandbox, training, ...rest } = plan;
      const { hyperparameter_types, ...trained } = training;
      const { python_types, ...read } = loaded[name];
      deepEqual(read, { ...rest, training: trained, sandbox: { ...sandbox, min_landlock_abi: 4 } });
      deepEqual(
        python_types,
        Object.fromEntries(
          Object.entries(hyperparameter_types).map(([key, type]) => [key, PYTHON_TYPE[type]]),
        ),
        name,
      );
    }
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

/**
 * Sends, through the platform's `emit`, every event with every combination of fields the
 * platform's code uses, and prints what it sent (one JSON line each, as on the channel).
 */
const EMIT_ALL = `
from mlp_platform import contract
from mlp_platform.events import emit

for reason in ${JSON.stringify(REFUSAL_REASONS)}:
    emit("refused", reason=reason, message="cannot")
    emit("refused", reason=reason, message="cannot", hint="do this")
emit("run_created", run_id="0123abcd", experiment_id="1")
every = {name: 0.5 for name in contract.METRICS}
for status in contract.RUN_STATUSES:
    for error in (None, "ValueError: x"):
        emit("finished", status=status, run_id="0123abcd", metrics={}, error=error, seal=None, outcome=None)
        emit("finished", status=status, run_id="0123abcd", error=error, seal="ab" * 32, outcome=None,
             metrics={**every, "roc_auc": None, "training_time_s": 1.5, "inference_latency_ms": 0.25})
# What judgement.judge reports: a first run, and a tested one with a better run elsewhere.
first = {"outcome": "first", "method": "none", "metric": "roc_auc", "value": 0.7, "baseline_run_id": None,
         "delta": None, "std_error": None, "p_value": None, "ci_low": None, "ci_high": None,
         "note": "no prior comparable run", "better_elsewhere": None}
emit("finished", status="FINISHED", run_id="0123abcd", metrics={}, error=None, seal="ab" * 32, outcome=first)
tested = {**first, "outcome": "confirmed", "method": "paired_t_folds", "baseline_run_id": "b" * 32,
          "delta": 0.01, "std_error": 0.002, "p_value": 0.01, "ci_low": 0.005, "ci_high": 0.015,
          "note": "the same 5 folds", "better_elsewhere": {"run_id": "e" * 32, "value": 0.8, "dataset_hash": "a" * 64}}
emit("finished", status="FINISHED", run_id="0123abcd", metrics={}, error=None, seal="ab" * 32, outcome=tested)
emit("unended", run_id="0123abcd", message="left RUNNING", hint="free space")
emit("tagged", run_id="0123abcd")
for status in contract.END_STATUSES:
    emit("ended", run_id="0123abcd", status=status, changed=True, was="RUNNING")
for was in contract.RUN_STATUSES:
    emit("ended", run_id="0123abcd", status=was, changed=False, was=was)
`;

Deno.test("every event the platform can emit parses in mlp, as it was sent", async () => {
  const lines = (await python(EMIT_ALL)).trim().split("\n");
  equal(lines.length, 10 + 1 + 12 + 2 + 1 + 1 + 5);
  for (const line of lines) {
    const sent = JSON.parse(line);
    const parsed = sent.event === "ended"
      ? parseEventLine(endedEventSchema, line, "run_admin")
      : sent.event === "tagged"
      ? parseEventLine(taggedEventSchema, line, "run_admin")
      : parseEvent(line);
    deepEqual(parsed, sent);
  }
});

Deno.test("the real supervisor's refusal of a bad plan parses in mlp", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mlp-golden-" });
  try {
    await Deno.writeTextFile(join(dir, "plan.json"), '{"plan_version": 1}\n');
    const out = await new Deno.Command(PYTHON, {
      args: ["-m", "mlp_platform.supervisor", "plan.json"],
      cwd: dir,
      env: { PYTHONPATH: join(ROOT, "src/python"), MLFLOW_TRACKING_URI: "sqlite:///mlflow.db" },
      stdout: "piped",
      stderr: "null",
    }).output();
    equal(out.code, 2);
    deepEqual(parseEvent(new TextDecoder().decode(out.stdout).trim()), {
      event: "refused",
      reason: "invalid_plan",
      message: `plan "${await Deno.realPath(
        dir,
      )}/plan.json": field "plan_version" must be 2, got 1`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The lists as the platform's code uses them, not as lists.json spells them. */
const PYTHON_LISTS = `
import inspect, json
from mlp_platform import contract, lifecycle, metrics, run_admin, splits, supervisor

plan = contract.PLAN_SCHEMA["properties"]
refused = contract.EVENT_SCHEMAS["refused"]["properties"]
print(json.dumps({
    "metrics": list(metrics._SCORERS),
    "plan_metrics": plan["training"]["properties"]["metrics"]["items"]["enum"],
    "split_strategies": [n for n, f in inspect.getmembers(splits, inspect.isfunction) if n in contract.SPLIT_STRATEGIES],
    "plan_split_strategies": plan["training"]["properties"]["split_strategy"]["enum"],
    "hyperparameter_types": plan["training"]["properties"]["hyperparameter_types"]["additionalProperties"]["enum"],
    "sandbox_modes": plan["sandbox"]["properties"]["mode"]["enum"],
    "run_statuses": list(supervisor.EXIT_OF_STATUS),
    "end_statuses": list(run_admin.END_STATUSES),
    "refusal_reasons": refused["reason"]["enum"],
    "interrupt_signals": [s.name for s in lifecycle.INTERRUPT_SIGNALS],
}))
`;

Deno.test("the lists the platform's code uses are mlp's", async () => {
  const lists = JSON.parse(await python(PYTHON_LISTS));
  deepEqual(lists, {
    metrics: [...PLATFORM_METRICS],
    plan_metrics: [...PLATFORM_METRICS],
    split_strategies: [...PLATFORM_SPLIT_STRATEGIES].sort(),
    plan_split_strategies: [...PLATFORM_SPLIT_STRATEGIES],
    hyperparameter_types: [...HYPERPARAMETER_TYPES],
    sandbox_modes: [...SANDBOX_MODES],
    run_statuses: [...RUN_STATUSES],
    end_statuses: [...END_STATUSES],
    refusal_reasons: [...REFUSAL_REASONS],
    interrupt_signals: [...INTERRUPT_SIGNALS],
  });
});

/** One record for both sides of the seal: NaN, ±Infinity, -0, escapes, astral keys, lists. */
const SEAL_FIXTURE: SealRecord = {
  runId: "0123456789abcdef0123456789abcdef",
  status: "FINISHED",
  params: {
    git_commit: "c".repeat(40),
    "reasoning.hypothesis": 'depth "5" \\ helps\n\ttab\u007f é 😀 \u2028',
    "z\u{1F600}": "astral key",
    "zﬀ": "BMP key after U+FB00",
    empty: "",
    "card.intended_use": "written by mlp promote after the seal",
  },
  tags: { client_name: "acme", "mlp.owner.pid": "42", "mlflow.note.content": "not sealed" },
  metrics: {
    roc_auc: 0.8123456789012345,
    nan: NaN,
    inf: Infinity,
    ninf: -Infinity,
    zero: -0,
    tiny: 5e-324,
    big: 1e21,
    int: 3,
  },
  metricHistory: { roc_auc: [0.5, 0.8123456789012345], nan: [NaN] },
  artifacts: { "model/MLmodel": "a".repeat(64), "plots/roc_curve.png": "b".repeat(64) },
};

const PYTHON_SEAL = `
import json, sys
from mlp_platform.seal import SealRecord, canonical_seal, seal_digest
r = json.loads(sys.argv[1], parse_constant=float)
record = SealRecord(r["runId"], r["status"], r["params"], r["tags"], r["metrics"], r["metricHistory"], r["artifacts"])
sys.stdout.write(json.dumps({"canonical": canonical_seal(record), "digest": seal_digest(record)}))
`;

Deno.test("the seal's canonical bytes and digest are the same in the platform and in mlp", async () => {
  // JSON has no NaN or Infinity; Python's json reads them as these constants.
  const encoded = JSON.stringify(
    SEAL_FIXTURE,
    (_key, value) =>
      typeof value === "number" && !Number.isFinite(value)
        ? `@@${value}@@`
        : Object.is(value, -0)
        ? "@@-0.0@@"
        : value,
  )
    .replace(/"@@(NaN|Infinity|-Infinity|-0\.0)@@"/g, "$1");
  const fromPython = JSON.parse(await python(PYTHON_SEAL, [encoded]));
  equal(fromPython.canonical, canonicalSeal(SEAL_FIXTURE));
  equal(fromPython.digest, sealDigest(SEAL_FIXTURE));
  equal(fromPython.canonical.includes("mlflow.note.content"), false);
  equal(fromPython.canonical.includes("card.intended_use"), false);
  equal(fromPython.canonical.includes('"nan":"NaN"'), true);
  equal(fromPython.canonical.includes(`"inf":"7fefffffffffffff"`), true);
  equal(fromPython.canonical.includes(`"zero":"0000000000000000"`), true);
});

/**
 * The run's LoggedModel scores raw rows (issue 9, item 1): after a real `mlp run` on a project
 * from the template, the official MLflow client loads the LoggedModel with mlflow.pyfunc and
 * scores rows of the run's dataset as they are stored; the scores equal those of the pipeline
 * refitted the same way on all rows (the final model), and a row with a missing value or a
 * category never seen scores without error.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { createProject } from "../support/project.ts";

interface Scored {
  modelIds: number;
  rows: number;
  largestDifference: number;
  inputs: string[];
  columns: string[];
  metadata: [unknown, unknown];
  oddRows: number[];
  lockIsTheRuns: boolean;
  xgboostPin: string[];
}

Deno.test("the run's LoggedModel scores raw rows as the pipeline refitted on all rows does", async () => {
  const project = await createProject({ rows: 1500 });
  const out = await project.mlp(["run"]);
  equal(out.code, 0, out.stderr);
  const runId = out.stdout.trim().split("\n").at(-1)!;
  const root = project.root;
  const scored = await project.python<Scored>(`
import glob, json, sys, warnings
import mlflow, numpy, pandas as pd, yaml
from mlflow.tracking import MlflowClient
warnings.filterwarnings("ignore")
mlflow.set_tracking_uri("sqlite:///${root}/mlflow.db")
client = MlflowClient()
run = client.get_run("${runId}")
model_ids = [o.model_id for o in run.outputs.model_outputs]
model = mlflow.pyfunc.load_model(f"models:/{model_ids[0]}")
plan = json.load(open(client.download_artifacts("${runId}", "mlp/plan.json")))["training"]
df = pd.read_parquet(glob.glob("${root}/data/shadow/${project.datasetHash}/*.parquet")[0])
raw = df.drop(columns=[plan["target_column"]])
scores = model.predict(raw)

# The same pipeline refitted on every row, with the project's code and the run's settings.
sys.path.insert(0, "${root}/src")
from features import build_features
from model import build_model
types = {"number": float, "integer": int}
hyperparameters = {k: types.get(plan["hyperparameter_types"][k], lambda v: v)(v) for k, v in plan["hyperparameters"].items()}
features = build_features(raw, plan["features"])
y = (df[plan["target_column"]] == plan["positive_class"]).astype(int).to_numpy()
refit = build_model(plan["model_type"], hyperparameters, plan["random_seed"]).fit(features, y)
expected = refit.predict_proba(features)[:, 1]

# A category never seen and missing values, one per row, beside rows scored as they are.
config = yaml.safe_load(open("${root}/configs/experiment.yaml"))
category = next(iter(config["features"]["categories"]))
floats = [c for c in raw.columns if str(raw[c].dtype) == "float64"]
integers = [c for c in raw.columns if str(raw[c].dtype).startswith("int")]
odd = raw.head(4).astype({category: object, integers[0]: float})
odd.loc[0, category] = "a-value-never-seen"
odd.loc[1, category] = None
odd.loc[2, floats[0]] = numpy.nan
odd.loc[3, integers[0]] = numpy.nan
odd_scores = model.predict(odd)

# The model's environment is the run's lock: the file itself, and requirements pinned from it.
import importlib.metadata
folder = mlflow.artifacts.download_artifacts(f"models:/{model_ids[0]}")
lock_is_the_runs = open(folder + "/uv.lock", "rb").read() == open("${root}/uv.lock", "rb").read()
pin = [l.split(";")[0].strip() for l in open(folder + "/requirements.txt") if l.startswith("xgboost-cpu==")]
print(json.dumps({
    "modelIds": len(model_ids), "rows": len(scores),
    "largestDifference": float(numpy.abs(scores - expected).max()),
    "inputs": model.metadata.get_input_schema().input_names(), "columns": list(raw.columns),
    "metadata": [model.metadata.metadata["positive_class"], model.metadata.metadata["classes"]],
    "oddRows": [float(s) for s in odd_scores],
    "lockIsTheRuns": lock_is_the_runs,
    "xgboostPin": pin + ["xgboost-cpu==" + importlib.metadata.version("xgboost-cpu")],
}))
`);
  equal(scored.modelIds, 1);
  equal(scored.rows, 1500);
  ok(scored.largestDifference <= 1e-9, `largest difference ${scored.largestDifference}`);
  // The input signature is the dataset's columns less the target, in the dataset's order.
  deepEqual(scored.inputs, scored.columns);
  deepEqual(scored.metadata, [1, [0, 1]]);
  equal(scored.oddRows.length, 4);
  ok(scored.oddRows.every((s) => Number.isFinite(s) && s >= 0 && s <= 1), `${scored.oddRows}`);
  ok(scored.lockIsTheRuns);
  equal(scored.xgboostPin.length, 2);
  equal(scored.xgboostPin[0], scored.xgboostPin[1]);
});

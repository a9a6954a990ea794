import assert from "node:assert/strict";
import { scanTrainingCalls } from "./training_guard.ts";

function patterns(source: string): [number, string][] {
  return scanTrainingCalls(source, "src/x.py").map((f) => [f.line, f.pattern]);
}

Deno.test("scanTrainingCalls() finds .fit(, .train( and .partial_fit( with line, column and text", () => {
  const source =
    "import xgboost\nmodel.fit(X, y)\nbooster = xgboost.train(p, d)\nsgd.partial_fit(X)\n";
  const training = (what: string) => ({ kind: "training", what: `${what} outside \`mlp run\`` });
  assert.deepEqual(scanTrainingCalls(source, "src/model.py"), [
    {
      file: "src/model.py",
      line: 2,
      column: 6,
      pattern: ".fit(",
      ...training('training call ".fit("'),
      text: "model.fit(X, y)",
    },
    {
      file: "src/model.py",
      line: 3,
      column: 18,
      pattern: ".train(",
      ...training('training call ".train("'),
      text: "booster = xgboost.train(p, d)",
    },
    {
      file: "src/model.py",
      line: 4,
      column: 4,
      pattern: ".partial_fit(",
      ...training('training call ".partial_fit("'),
      text: "sgd.partial_fit(X)",
    },
  ]);
});

Deno.test("scanTrainingCalls() ignores comments, strings, docstrings and f-string literals", () => {
  const source = [
    '"""Module doc: model.fit(X, y) and mlflow.start_run()."""',
    "# model.fit(X, y)",
    "def build():",
    "    '''Never call est.fit( here.'''",
    "    note = 'est.fit(X)'  # mlflow.log_metric('a', 1)",
    '    other = f"{{est.fit(X)}}"',
    "    return r'''mlflow.log_param(",
    "    '''",
    "def fit(self, X):",
    "    return self",
    "",
  ].join("\n");
  assert.deepEqual(patterns(source), []);
});

Deno.test("scanTrainingCalls() finds code inside f-string replacement fields", () => {
  assert.deepEqual(patterns('print(f"{est.fit(X)}")\n'), [[1, ".fit("]]);
});

Deno.test("scanTrainingCalls() catches mlflow through every kind of alias", () => {
  const source = [
    "import mlflow as m",
    "from mlflow import log_metric as lm, start_run",
    "import mlflow.sklearn as ms",
    "from mlflow import (",
    "    log_params as lp,",
    ")",
    "with m.start_run():",
    "    lm('auc', 0.9)",
    "    ms.log_model(est, name='model')",
    "start_run()",
    "lp({})",
    "getattr(m, 'log_metric')('auc', 1)",
    "mlflow.log_param('a', 1)",
    "mlflow.sklearn.autolog()",
    "",
  ].join("\n");
  assert.deepEqual(patterns(source), [
    [7, "mlflow.start_run"],
    [8, "mlflow.log_metric"],
    [9, "mlflow.sklearn.log_model"],
    [10, "mlflow.start_run"],
    [11, "mlflow.log_params"],
    [12, "getattr(mlflow, …)"],
    [13, "mlflow.log_param"],
    [14, "mlflow.sklearn.autolog"],
  ]);
});

Deno.test("scanTrainingCalls() flags a reference that is stored for a later call", () => {
  assert.deepEqual(patterns("import mlflow\nlog = mlflow.log_metric\nlog('a', 1)\n"), [
    [2, "mlflow.log_metric"],
  ]);
});

Deno.test("scanTrainingCalls() follows imports inside functions and wildcard imports", () => {
  assert.deepEqual(
    patterns(
      "def f():\n    import mlflow.tracking as t\n    t.log_x()\nfrom mlflow import *\nlog_metric('a', 1)\n",
    ),
    [[3, "mlflow.tracking.log_x"], [5, "mlflow.log_metric"]],
  );
});

Deno.test("scanTrainingCalls() does not flag names that only look like mlflow's", () => {
  const source = [
    "from mylib import log_metric as lm",
    "import numpy as m",
    "lm('a', 1)",
    "m.log_metric(1)",
    "logger.log_info('x')",
    "start_run()",
    "x = mlflow_utils.start_run",
    "",
  ].join("\n");
  assert.deepEqual(patterns(source), []);
});

Deno.test("scanTrainingCalls() reads identifiers as Python does (NFKC): fullwidth, ligature, bold", () => {
  const source = [
    "model.ｆｉｔ(X, y)",
    "model.𝐩𝐚𝐫𝐭𝐢𝐚𝐥_𝐟𝐢𝐭(X)",
    "booster.ﬁt(X)",
    "ｍｌｆｌｏｗ.log_metric('auc', 1)",
    "mlflow.ｌｏｇ_ｐａｒａｍ('a', 1)",
    "",
  ].join("\n");
  assert.deepEqual(patterns(source), [
    [1, ".fit("],
    [2, ".partial_fit("],
    [3, ".fit("],
    [4, "mlflow.log_metric"],
    [5, "mlflow.log_param"],
  ]);
});

Deno.test("scanTrainingCalls() finds training methods looked up by name", () => {
  const source = [
    'getattr(model, "fit")(X, y)',
    "getattr(model, 'partial_fit')",
    'getattr(model, "fi" "t")(X, y)',
    'getattr(model, "f" + "it")(X, y)',
    'getattr(model, "\\x66it")(X, y)',
    'operator.methodcaller("fit", X, y)(model)',
    'attrgetter("estimator.fit")(search)(X, y)',
    'model.__getattribute__("fit")(X, y)',
    'object.__getattribute__(model, "train")(d)',
    'vars(type(model))["fit"](model, X, y)',
    'getattr(booster, "train")(p, d)',
    "",
  ].join("\n");
  assert.deepEqual(patterns(source), [
    [1, 'getattr(…, "fit")'],
    [2, 'getattr(…, "partial_fit")'],
    [3, 'getattr(…, "fit")'],
    [4, 'getattr(…, "fit")'],
    [5, 'getattr(…, "fit")'],
    [6, 'methodcaller(…, "fit")'],
    [7, 'attrgetter(…, "estimator.fit")'],
    [8, '__getattribute__(…, "fit")'],
    [9, '__getattribute__(…, "train")'],
    [10, '["fit"]'],
    [11, 'getattr(…, "train")'],
  ]);
});

Deno.test("scanTrainingCalls() leaves lookups of other names, and hasattr, alone", () => {
  const source = [
    'getattr(model, "predict_proba")(X)',
    'hasattr(model, "fit")',
    "getattr(model, name)",
    'frame["train"].sum()',
    'settings["fit"] = 1',
    "",
  ].join("\n");
  assert.deepEqual(patterns(source), []);
});

Deno.test("scanTrainingCalls() finds training methods taken as values: partial, aliases, __call__", () => {
  const source = [
    "import functools",
    "step = functools.partial(model.fit, X)",
    "f = model.fit",
    "f(X, y)",
    "LogisticRegression.fit = lambda self, X, y: self",
    "model.fit.__call__(X, y)",
    "t = xgboost.train",
    "t(params, dtrain)",
    "run = partial(lgb.train, params)",
    "xgboost.train.__call__(params, dtrain)",
    "list(map(model.partial_fit, batches))",
    "",
  ].join("\n");
  assert.deepEqual(patterns(source), [
    [2, ".fit"],
    [3, ".fit"],
    [5, ".fit"],
    [6, ".fit"],
    [8, ".train"],
    [9, ".train"],
    [10, ".train"],
    [11, ".partial_fit"],
  ]);
});

Deno.test("scanTrainingCalls() leaves a .train attribute that is data alone", () => {
  const source = [
    "X_train = split.train",
    "rows = X_train.shape[0]",
    "n = len(split.train)",
    "split.train = frame",
    "if split.train is None:",
    "    pass",
    "",
  ].join("\n");
  assert.deepEqual(patterns(source), []);
});

Deno.test("scanTrainingCalls() finds training inside strings run by exec, eval and compile", () => {
  const source = [
    "import mlflow as mf",
    'exec("model.fit(X, y)")',
    "eval('est.partial_fit(X)')",
    "exec(\"import mlflow\\nmlflow.log_metric('auc', 1.0)\")",
    "exec(\"mf.log_param('a', 1)\")",
    'code = compile("model." "fit(X, y)", "<s>", "exec")',
    'builtins.exec("model.fit(X, y)")',
    'exec("""',
    "model.train(d)",
    '""")',
    "",
  ].join("\n");
  assert.deepEqual(patterns(source), [
    [2, ".fit("],
    [3, ".partial_fit("],
    [4, "mlflow.log_metric"],
    [5, "mlflow.log_param"],
    [6, ".fit("],
    [7, ".fit("],
    [9, ".train("],
  ]);
});

Deno.test("scanTrainingCalls() refuses exec, eval and compile of code it cannot read", () => {
  const source = [
    "exec(code)",
    'exec(open("src/helper.txt").read())',
    "eval(f'model.{name}(X)')",
    "run = exec",
    'getattr(builtins, "eval")(text)',
    "spec = importlib.util.spec_from_file_location('h', 'src/helper.txt')",
    "loader = SourceFileLoader('h', path)",
    "runpy.run_path('notebooks/train.dat')",
    "",
  ].join("\n");
  assert.deepEqual(patterns(source), [
    [1, "exec(…)"],
    [2, "exec(…)"],
    [3, "eval(…)"],
    [4, "exec"],
    [5, 'getattr(…, "eval")'],
    [6, "spec_from_file_location"],
    [7, "SourceFileLoader"],
    [8, "run_path"],
  ]);
});

Deno.test("scanTrainingCalls() leaves pandas' eval, re.compile, shadowed names and harmless exec strings alone", () => {
  const source = [
    '"""Docstring: exec("model.fit(X)") is not run."""',
    "from re import compile",
    'frame.eval("a / b")',
    'pd.eval("a + b")',
    "pattern = re.compile(text)",
    "matcher = compile(text)",
    'eval("1 + 2")',
    'message = "model.fit(X) is the platform\'s job"',
    'exec("total = 1  # model.fit(X)")',
    "",
  ].join("\n");
  assert.deepEqual(patterns(source), []);
});

Deno.test("scanTrainingCalls() finds mlflow imported by name", () => {
  const source = [
    '__import__("mlflow").log_metric("auc", 1)',
    'ms = importlib.import_module("mlflow.sklearn")',
    'tracking = import_module("ml" + "flow")',
    'sys.modules["mlflow"].log_param("a", 1)',
    'np = importlib.import_module("numpy")',
    "",
  ].join("\n");
  assert.deepEqual(patterns(source), [
    [1, '__import__("mlflow")'],
    [2, 'import_module("mlflow.sklearn")'],
    [3, 'import_module("mlflow")'],
    [4, 'modules["mlflow"]'],
  ]);
});

Deno.test("scanTrainingCalls() finds MlflowClient's logging methods however the client is reached", () => {
  const source = [
    "from mlflow import MlflowClient",
    "import mlflow",
    "client = MlflowClient()",
    "run = client.create_run('0')",
    "client.log_metric(run.info.run_id, 'auc', 1.0)",
    "client.log_batch(run.info.run_id, metrics=[])",
    "client.set_tag(run.info.run_id, 'k', 'v')",
    "self.client.log_artifact(run_id, 'model.pkl')",
    "mlflow.tracking.MlflowClient().log_param(run_id, 'a', 1)",
    "client.set_terminated(run_id)",
    "client.search_runs(['0'])",
    "mlflow.set_tag('k', 'v')",
    "",
  ].join("\n");
  assert.deepEqual(patterns(source), [
    [4, "MlflowClient.create_run"],
    [5, "MlflowClient.log_metric"],
    [6, "MlflowClient.log_batch"],
    [7, "MlflowClient.set_tag"],
    [8, "MlflowClient.log_artifact"],
    [9, "MlflowClient.log_param"],
    [10, "MlflowClient.set_terminated"],
    [12, "mlflow.set_tag"],
  ]);
});

Deno.test("scanTrainingCalls() leaves logging-like methods alone in a file without MlflowClient", () => {
  assert.deepEqual(patterns("client.log_metric(1)\nstore.set_tag('a')\n"), []);
});

Deno.test("scanTrainingCalls() finds scikit-learn's fitting functions, fit_predict and fit_transform", () => {
  const source = [
    "from sklearn.model_selection import cross_val_score, cross_validate as cv",
    "from xgboost import train",
    "import sklearn.model_selection as ms",
    "scores = cross_val_score(est, X, y)",
    "ms.cross_val_predict(est, X, y)",
    "labels = kmeans.fit_predict(X)",
    "scaled = StandardScaler().fit_transform(X)",
    "curve = sklearn.model_selection.learning_curve(est, X, y)",
    "",
  ].join("\n");
  assert.deepEqual(patterns(source), [
    [1, "sklearn.model_selection.cross_val_score"],
    [1, "sklearn.model_selection.cross_validate"],
    [2, "xgboost.train"],
    [4, "cross_val_score"],
    [5, "cross_val_predict"],
    [6, ".fit_predict("],
    [7, ".fit_transform("],
    [8, "learning_curve"],
  ]);
});

import assert from "node:assert/strict";
import { isGuardedPath, scanTrainingCalls } from "./training_guard.ts";

function patterns(source: string): [number, string][] {
  return scanTrainingCalls(source, "src/x.py").map((f) => [f.line, f.pattern]);
}

Deno.test("scanTrainingCalls() finds .fit(, .train( and .partial_fit( with line, column and text", () => {
  const source =
    "import xgboost\nmodel.fit(X, y)\nbooster = xgboost.train(p, d)\nsgd.partial_fit(X)\n";
  assert.deepEqual(scanTrainingCalls(source, "src/model.py"), [
    { file: "src/model.py", line: 2, column: 6, pattern: ".fit(", text: "model.fit(X, y)" },
    {
      file: "src/model.py",
      line: 3,
      column: 18,
      pattern: ".train(",
      text: "booster = xgboost.train(p, d)",
    },
    {
      file: "src/model.py",
      line: 4,
      column: 4,
      pattern: ".partial_fit(",
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

Deno.test("isGuardedPath() scans every .py file except tests/ and scripts/", () => {
  assert.equal(isGuardedPath("src/model.py"), true);
  assert.equal(isGuardedPath("train.py"), true);
  assert.equal(isGuardedPath("src/tests/helper.py"), true);
  assert.equal(isGuardedPath("tests/test_model.py"), false);
  assert.equal(isGuardedPath("./scripts/promote.py"), false);
  assert.equal(isGuardedPath("README.md"), false);
  assert.equal(isGuardedPath("src/notes.txt"), false);
});

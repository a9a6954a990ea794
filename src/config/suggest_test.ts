import assert from "node:assert/strict";
import { didYouMean } from "./suggest.ts";

const MODELS = ["xgboost", "lightgbm", "logistic_regression", "random_forest"];

Deno.test("didYouMean() finds near-misses, prefixes, substrings and case variants", () => {
  assert.equal(didYouMean("xgb", MODELS), "xgboost");
  assert.equal(didYouMean("XGBoost", MODELS), "xgboost");
  assert.equal(didYouMean("lightgmb", MODELS), "lightgbm");
  assert.equal(didYouMean("randomforest", MODELS), "random_forest");
  assert.equal(didYouMean("forest", MODELS), "random_forest");
  assert.equal(didYouMean("max_dept", ["n_estimators", "max_depth"]), "max_depth");
  assert.equal(didYouMean("auc", ["f1", "roc_auc"]), "roc_auc");
  assert.equal(didYouMean("f2", ["f1", "roc_auc"]), "f1");
});

Deno.test("didYouMean() stays silent when nothing is close", () => {
  assert.equal(didYouMean("svm", MODELS), undefined);
  assert.equal(didYouMean("neural_network", MODELS), undefined);
  assert.equal(didYouMean("", MODELS), undefined);
  assert.equal(didYouMean("ab", ["xy"]), undefined);
  assert.equal(didYouMean("xgboost", []), undefined);
});

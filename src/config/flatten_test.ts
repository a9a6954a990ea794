import assert from "node:assert/strict";
import { canonicalJson, flattenParams } from "./flatten.ts";

Deno.test("flattenParams() writes every leaf by its dotted path", () => {
  assert.deepEqual(
    flattenParams({
      model_type: "xgboost",
      random_seed: 42,
      hyperparameters: { learning_rate: 0.05, max_depth: 6, early: true },
      features: { windows: [7, 30], nested: { list: [{ b: 1, a: "x" }], off: false }, none: null },
      empty: {},
      skipped: undefined,
      evaluation: { threshold: 1e-7 },
    }),
    {
      model_type: "xgboost",
      random_seed: "42",
      "hyperparameters.learning_rate": "0.05",
      "hyperparameters.max_depth": "6",
      "hyperparameters.early": "true",
      "features.windows": "[7,30]",
      "features.nested.list": '[{"a":"x","b":1}]',
      "features.nested.off": "false",
      "features.none": "null",
      empty: "{}",
      "evaluation.threshold": "1e-7",
    },
  );
});

Deno.test("flattenParams() prefixes every path", () => {
  assert.deepEqual(flattenParams({ category: "ensemble", delta: null }, "reasoning"), {
    "reasoning.category": "ensemble",
    "reasoning.delta": "null",
  });
  assert.deepEqual(flattenParams({}, "reasoning"), { reasoning: "{}" });
  assert.deepEqual(flattenParams({}), {});
});

Deno.test("canonicalJson() sorts keys at every depth and writes no whitespace", () => {
  assert.equal(
    canonicalJson({ b: [2, { d: 1, c: null }], a: "x", B: true, _: -0, "é": "ü\n", n: 1.5e300 }),
    '{"B":true,"_":0,"a":"x","b":[2,{"c":null,"d":1}],"n":1.5e+300,"é":"ü\\n"}',
  );
  assert.equal(canonicalJson({}), "{}");
  assert.equal(canonicalJson([]), "[]");
  assert.equal(canonicalJson('a"b'), '"a\\"b"');
  assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
});

Deno.test("canonicalJson() refuses values JSON cannot represent", () => {
  assert.throws(() => canonicalJson(Infinity), new TypeError("Infinity cannot be written as JSON"));
  assert.throws(() => canonicalJson([NaN]), new TypeError("NaN cannot be written as JSON"));
  assert.throws(() => canonicalJson([undefined]), TypeError);
  assert.throws(() => canonicalJson(1n), TypeError);
});

import { deepEqual } from "node:assert/strict";
import { resolveTrackingTarget } from "./tracking_uri.ts";

Deno.test("resolveTrackingTarget() defaults to the project's mlflow.db and mlartifacts", () => {
  deepEqual(resolveTrackingTarget("/p/credit", undefined), {
    uri: "sqlite:////p/credit/mlflow.db",
    artifactLocation: "file:///p/credit/mlartifacts",
  });
  deepEqual(resolveTrackingTarget("/p/credit", "  "), {
    uri: "sqlite:////p/credit/mlflow.db",
    artifactLocation: "file:///p/credit/mlartifacts",
  });
});

Deno.test("resolveTrackingTarget() lets MLFLOW_TRACKING_URI and its server decide", () => {
  deepEqual(resolveTrackingTarget("/p/credit", "http://mlflow.bank:5000 "), {
    uri: "http://mlflow.bank:5000",
    artifactLocation: null,
  });
});

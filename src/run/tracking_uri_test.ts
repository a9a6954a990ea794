import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { InputError } from "../errors.ts";
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

Deno.test("resolveTrackingTarget() refuses a store the merge gate could not read", () => {
  for (const uri of ["postgresql://mlflow@db/mlflow", "file:///p/credit/mlruns", "./mlruns"]) {
    throws(() => resolveTrackingTarget("/p/credit", uri), (error: unknown) => {
      ok(error instanceof InputError);
      equal(error.message, `MLFLOW_TRACKING_URI "${uri}" is not a store mlp can read`);
      equal(
        error.hint,
        "use sqlite:///mlflow.db (relative to the project root), sqlite:////absolute/path.db, or " +
          "http(s)://server:port for an MLflow tracking server (a PostgreSQL store is reached " +
          "through its server)",
      );
      return true;
    });
  }
});

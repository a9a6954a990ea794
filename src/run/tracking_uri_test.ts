import { equal, ok, throws } from "node:assert/strict";
import { InputError } from "../errors.ts";
import { resolveTrackingUri } from "./tracking_uri.ts";

Deno.test("resolveTrackingUri() defaults to the project's mlflow.db, relative to its root", () => {
  equal(resolveTrackingUri(undefined), "sqlite:///mlflow.db");
  equal(resolveTrackingUri("  "), "sqlite:///mlflow.db");
});

Deno.test("resolveTrackingUri() takes MLFLOW_TRACKING_URI", () => {
  equal(resolveTrackingUri("http://mlflow.bank:5000 "), "http://mlflow.bank:5000");
  equal(resolveTrackingUri("sqlite:////p/other.db"), "sqlite:////p/other.db");
});

Deno.test("resolveTrackingUri() refuses a store the merge gate could not read", () => {
  // The user info of a URI never reaches a message (it may hold a password).
  const refused = {
    "postgresql://mlflow:secret@db/mlflow": "postgresql://***@db/mlflow",
    "file:///p/credit/mlruns": "file:///p/credit/mlruns",
    "./mlruns": "./mlruns",
  };
  for (const [uri, shown] of Object.entries(refused)) {
    throws(() => resolveTrackingUri(uri), (error: unknown) => {
      ok(error instanceof InputError);
      equal(error.message, `MLFLOW_TRACKING_URI "${shown}" is not a store mlp can read`);
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

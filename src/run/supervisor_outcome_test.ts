import { equal, ok } from "node:assert/strict";
import { CheckError, InterruptedError } from "../errors.ts";
import { describeExit, refusal } from "./supervisor_outcome.ts";

const URI = "sqlite:///mlflow.db";

Deno.test("refusal() turns each reason into the error the user sees, with its exit code", () => {
  const store = refusal({
    event: "refused",
    reason: "store_unusable",
    message: 'the MLflow store "mlflow.db" is not a SQLite database',
    hint: "restore it from a backup",
  }, URI);
  ok(store instanceof CheckError);
  equal(
    store.message,
    'The MLflow store cannot be used: the MLflow store "mlflow.db" is not a SQLite database',
  );
  equal(store.hint, "restore it from a backup");

  const interrupted = refusal({
    event: "refused",
    reason: "interrupted",
    message: "interrupted by SIGINT; nothing was recorded",
  }, URI);
  ok(interrupted instanceof InterruptedError);
  equal(interrupted.exitCode, 130);
  equal(interrupted.message, "The run was interrupted by SIGINT; nothing was recorded");

  const sandbox = refusal({
    event: "refused",
    reason: "sandbox_unavailable",
    message: "cannot sandbox the trainer: no Landlock",
  }, URI);
  ok(sandbox instanceof CheckError);
  equal(
    sandbox.message,
    "The training sandbox cannot be set up: cannot sandbox the trainer: no Landlock",
  );

  const plan = refusal({ event: "refused", reason: "invalid_plan", message: "bad" }, URI);
  ok(!(plan instanceof CheckError), "a plan mlp wrote and its own supervisor refuses is a bug");
});

Deno.test("describeExit() says how the supervisor ended", () => {
  equal(describeExit({ events: [], code: 1, signal: null }), "exited with code 1");
  equal(
    describeExit({ events: [], code: 137, signal: null }),
    "exited with code 137 (killed by signal 9)",
  );
  equal(describeExit({ events: [], code: 1, signal: "SIGKILL" }), "was killed by SIGKILL");
});

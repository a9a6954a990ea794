import assert from "node:assert/strict";
import { runIdsFromMessage } from "./run_ids.ts";

const A = "0123456789abcdef0123456789abcdef";
const B = "fedcba9876543210fedcba9876543210";

Deno.test("runIdsFromMessage() reads MLflow-Run lines in any key case, each once, in order", () => {
  const message =
    `Merge branch 'exp'\n\nMLflow-Run: ${A}\nmlflow-run:${B}\n  MLFLOW-RUN :  ${A}  \n`;
  assert.deepEqual(runIdsFromMessage(message), [A, B]);
});

Deno.test("runIdsFromMessage() lowercases an ID typed in capitals", () => {
  assert.deepEqual(runIdsFromMessage(`MLflow-Run: ${A.toUpperCase()}\n`), [A]);
});

Deno.test("runIdsFromMessage() ignores comments, prose and malformed IDs", () => {
  const message = [
    `# MLflow-Run: ${A}`,
    `See MLflow-Run: ${B} for details`,
    `MLflow-Run: ${A.slice(1)}`,
    `MLflow-Run: ${A}0`,
  ].join("\n");
  assert.deepEqual(runIdsFromMessage(message), []);
});

import assert from "node:assert/strict";
import { runIdsFromMessage, sealsFromNote } from "./run_ids.ts";

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

Deno.test("sealsFromNote() reads MLflow-Seal lines by run ID, the first seal of a run kept", () => {
  const [s1, s2] = ["1".repeat(64), "2".repeat(64)];
  const note =
    `MLflow-Run: ${A}\nMLflow-Seal: ${A} ${s1}\n\nmlflow-seal:${B}  ${s2.toUpperCase()}\n` +
    `MLflow-Seal: ${A} ${s2}\nMLflow-Seal: ${A} ${s1.slice(1)}\n`;
  assert.deepEqual([...sealsFromNote(note)], [[A, s1], [B, s2]]);
  assert.deepEqual(runIdsFromMessage(note), [A]);
});

import assert from "node:assert/strict";
import { CheckError } from "../errors.ts";
import { git, makeProject } from "../hooks/testing.ts";
import { attachRunNote, readRunNotes } from "./notes.ts";

const A = "0123456789abcdef0123456789abcdef";
const B = "fedcba9876543210fedcba9876543210";

Deno.test("attachRunNote() appends run IDs to refs/notes/mlflow once each", async () => {
  const root = await makeProject();
  const head = (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
  assert.deepEqual(await readRunNotes(root, head), []);
  // The note is a commit on refs/notes/mlflow: it needs an identity in this process too.
  await git(root, ["config", "user.name", "Ana Test"]);
  await git(root, ["config", "user.email", "ana@example.com"]);
  await attachRunNote(root, head, A);
  await attachRunNote(root, head, B);
  await attachRunNote(root, head, A);
  assert.deepEqual(await readRunNotes(root, head), [A, B]);
  assert.equal(
    (await git(root, ["notes", "--ref=mlflow", "show", head])).stdout,
    `MLflow-Run: ${A}\n\nMLflow-Run: ${B}\n`,
  );
  await assert.rejects(() => readRunNotes(root, "no-such-branch"), CheckError);
  await Deno.remove(root, { recursive: true });
});

import assert from "node:assert/strict";
import { CheckError } from "../errors.ts";
import { git, makeProject } from "../hooks/testing.ts";
import { attachRunNote, readRunNotes, readRunSeals } from "./notes.ts";

const A = "0123456789abcdef0123456789abcdef";
const B = "fedcba9876543210fedcba9876543210";

/**
 * Calls attachRunNote() in a fresh Deno process whose git has no identity: no global or system
 * config and no GIT_* identity variables (this process's git may have both).
 */
async function attachWithoutIdentity(root: string, runId: string, operator?: string) {
  const args = JSON.stringify([root, "HEAD", runId, ...(operator ? [operator] : [])]);
  const code = `import { attachRunNote } from ${
    JSON.stringify(new URL("./notes.ts", import.meta.url).href)
  };\nawait attachRunNote(...${args});\n`;
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/tmp",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
  };
  const denoDir = Deno.env.get("DENO_DIR");
  if (denoDir) env.DENO_DIR = denoDir;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    cwd: root,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(output.stderr), "");
  assert.equal(output.code, 0);
}

/** Author and committer of the latest note commit. */
async function noteIdentity(root: string): Promise<string> {
  return (await git(root, ["log", "-1", "--format=%an <%ae> / %cn <%ce>", "refs/notes/mlflow"]))
    .stdout.trim();
}

Deno.test("attachRunNote() appends run IDs to refs/notes/mlflow once each", async () => {
  const root = await makeProject();
  const head = (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
  assert.deepEqual(await readRunNotes(root, head), []);
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

Deno.test("attachRunNote() writes a run's seal beside its ID", async () => {
  const root = await makeProject();
  const seal = "5".repeat(64);
  await attachRunNote(root, "HEAD", A, undefined, seal);
  await attachRunNote(root, "HEAD", B, undefined, null);
  assert.equal(
    (await git(root, ["notes", "--ref=mlflow", "show", "HEAD"])).stdout,
    `MLflow-Run: ${A}\nMLflow-Seal: ${A} ${seal}\n\nMLflow-Run: ${B}\n`,
  );
  assert.deepEqual([...await readRunSeals(root, "HEAD")], [[A, seal]]);
  assert.deepEqual(await readRunNotes(root, "HEAD"), [A, B]);
  await Deno.remove(root, { recursive: true });
});

Deno.test("attachRunNote() writes the note as the operator when git has no user.email", async () => {
  const root = await makeProject();
  await attachWithoutIdentity(root, A, "agent:claude-code");
  assert.equal(await noteIdentity(root), "mlp <agent:claude-code> / mlp <agent:claude-code>");
  await attachWithoutIdentity(root, B);
  assert.equal(await noteIdentity(root), "mlp <mlp@localhost> / mlp <mlp@localhost>");
  assert.deepEqual(await readRunNotes(root, "HEAD"), [A, B]);
  await Deno.remove(root, { recursive: true });
});

Deno.test("attachRunNote() keeps the configured git identity", async () => {
  const root = await makeProject();
  await git(root, ["config", "user.name", "Bea Local"]);
  await git(root, ["config", "user.email", "bea@example.com"]);
  await attachWithoutIdentity(root, A, "agent:claude-code");
  assert.equal(
    await noteIdentity(root),
    "Bea Local <bea@example.com> / Bea Local <bea@example.com>",
  );
  await Deno.remove(root, { recursive: true });
});

/**
 * Signed approvals end to end (issue 10, item 5): an approver configured in the standards on
 * main, a real `mlp run --override-protected` signed with their SSH key (real ssh-keygen), real
 * `mlp log verify` passing, then failing on an entry whose approver was edited.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { join } from "node:path";
import { createProject } from "../support/project.ts";
import { approversSection, makeSshKey } from "../support/ssh_key.ts";

const OPERATOR = "operator@bank.test";
const FORGED = "chief.risk.officer@bank.example";
const LOG = "logs/protected_overrides.log";

Deno.test("a signed override verifies; an approver edited into the log does not", async (t) => {
  const project = await createProject({ rows: 2000 });
  const key = await makeSshKey(OPERATOR);
  await project.edit(
    "configs/project_standards.yaml",
    /^approvers: \[\]$/m,
    approversSection(OPERATOR, key, ["override", "promotion"]),
  );
  await project.git(["commit", "-q", "-am", "The operator approves overrides and promotions"]);
  await project.edit(
    "configs/experiment.yaml",
    /split_strategy: stratified_kfold/g,
    "split_strategy: temporal_split",
  );
  await project.edit(
    "configs/experiment.yaml",
    /^(\s+)target_column: default$/m,
    "$1target_column: default\n$1date_column: application_date",
  );
  const override = ["run", "--override-protected", "--reason", "temporal check for the regulator"];

  await t.step("an unsigned override is refused before anything runs", async () => {
    const out = await project.mlp(override);
    equal(out.code, 1, out.stderr);
    match(out.stderr, /An override by "operator@bank\.test" must be signed with their SSH key/);
    match(out.stderr, /--sign-key ~\/\.ssh\/id_ed25519/);
    equal(out.stdout, "");
  });

  await t.step("the override signed with the approver's key runs and verifies", async () => {
    const out = await project.mlp([...override, "--sign-key", key.path]);
    equal(out.code, 0, out.stderr);
    const lines = (await Deno.readTextFile(join(project.root, LOG))).trim().split("\n");
    const entries = lines.map((line) => JSON.parse(line));
    const entry = entries.find((e) => e.field === "protected.split_strategy");
    equal(entry.operator, OPERATOR);
    match(entry.sig, /^-----BEGIN SSH SIGNATURE-----\n/);
    const main = (await project.git(["rev-parse", "main"])).stdout.trim();
    equal(entry.approvers_at, main);
    const verify = await project.mlp(["log", "verify"]);
    equal(verify.code, 0, verify.stderr);
    match(verify.stdout, /hash chain intact, anchored in the MLflow store/);
  });

  const path = join(project.root, LOG);
  let signed = "";
  await t.step("an approver edited into the entry fails verification, naming it", async () => {
    const text = await Deno.readTextFile(path);
    signed = text;
    const lines = text.trim().split("\n");
    const index = lines.findIndex((line) => line.includes('"field":"protected.split_strategy"'));
    lines[index] = lines[index].replace(`"operator":"${OPERATOR}"`, `"operator":"${FORGED}"`);
    await Deno.writeTextFile(path, `${lines.join("\n")}\n`);
    const verify = await project.mlp(["log", "verify"]);
    equal(verify.code, 1, verify.stderr);
    match(verify.stderr, new RegExp(`${LOG} has an approval not signed by an approver`));
    const main = (await project.git(["rev-parse", "main"])).stdout.trim();
    deepEqual(
      verify.stderr.split("\n").filter((line) => line.includes(`${LOG}:${index + 1}:`)),
      [
        `  - ${LOG}:${index + 1}: protected_override by "${FORGED}": "${FORGED}" is not an ` +
        `approver of an override in configs/project_standards.yaml at ${main.slice(0, 12)} ` +
        `(who may: ${OPERATOR})`,
      ],
    );
    const audit = await project.mlp(["audit"]);
    equal(audit.code, 1, audit.stderr);
    match(
      audit.stdout,
      new RegExp(
        `^finding: ${LOG}:${index + 1}: the protected_override approved by "${FORGED}" does not ` +
          `verify: "${FORGED}" is not an approver`,
        "m",
      ),
    );
  });

  await t.step(
    "the hook refuses to commit the forged entry, and commits the signed one",
    async () => {
      await project.git(["add", "configs/experiment.yaml", LOG]);
      const forged = await project.git(["commit", "-q", "-m", "Temporal split"], {
        allowFailure: true,
      });
      equal(forged.code, 1, forged.stderr);
      match(
        forged.stderr,
        new RegExp(
          `${LOG}:\\d+: protected_override by "${FORGED.replaceAll(".", "\\.")}": "${
            FORGED.replaceAll(".", "\\.")
          }" is not an approver of an override`,
        ),
      );
      await Deno.writeTextFile(path, signed);
      await project.git(["add", LOG]);
      const commit = await project.git(["commit", "-q", "-m", "Temporal split"], {
        allowFailure: true,
      });
      equal(commit.code, 0, commit.stderr);
      const verify = await project.mlp(["log", "verify"]);
      equal(verify.code, 0, verify.stderr);
    },
  );
});

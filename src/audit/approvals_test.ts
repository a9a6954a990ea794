import assert from "node:assert/strict";
import { join } from "node:path";
import { CheckError, InputError } from "../errors.ts";
import { git, writeFiles } from "../hooks/testing.ts";
import { STANDARDS } from "../config/testing.ts";
import { planApproval } from "./approvals.ts";
import {
  appendOverrideEntries,
  formatEntry,
  type NewEntry,
  type OverrideEntry,
  parseEntry,
  signedText,
} from "./override_log.ts";
import { signatureFindings } from "./signature_findings.ts";
import { signMessage } from "./ssh_signature.ts";

const JANE = "jane@bank.example";
const MALLORY = "mallory@bank.example";
const LOG = "logs/protected_overrides.log";
const DEFAULT_STANDARDS = await Deno.readTextFile(STANDARDS);

/** A fresh ed25519 key pair made by the real ssh-keygen: its private key path and .pub line. */
async function makeKey(dir: string, name: string): Promise<{ path: string; pub: string }> {
  const path = join(dir, name);
  const out = await new Deno.Command("ssh-keygen", {
    args: ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path],
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return { path, pub: (await Deno.readTextFile(`${path}.pub`)).trim() };
}

function standards(approvers: { identity: string; key: string; may: string[] }[]): string {
  const list = approvers.map((a) =>
    `  - identity: ${a.identity}\n    key: "${a.key}"\n    may: [${a.may.join(", ")}]\n`
  ).join("");
  return DEFAULT_STANDARDS.replace(
    /^approvers: \[\]$/m,
    list === "" ? "approvers: []" : `approvers:\n${list}`,
  );
}

async function commitStandards(root: string, text: string, message: string): Promise<string> {
  await writeFiles(root, { "configs/project_standards.yaml": text });
  await git(root, ["add", "configs/project_standards.yaml"]);
  await git(root, ["commit", "-q", "--no-verify", "-m", message]);
  return (await git(root, ["rev-parse", "HEAD"])).stdout.trim();
}

function override(operator: string, commit: string): NewEntry {
  return {
    ts: "2026-12-07T10:00:00.000Z",
    kind: "protected_override",
    field: "protected.split_strategy",
    old: "stratified_kfold",
    new: "temporal_split",
    operator,
    config: "configs/experiment.yaml",
    reason: "temporal check for the regulator",
    commit,
    run_id: "1".repeat(32),
  };
}

async function readLog(root: string): Promise<string> {
  return await Deno.readTextFile(join(root, LOG));
}

/** The log with line `n` (1-based) replaced by `edit` of its entry, re-serialized. */
function editLine(text: string, n: number, edit: (e: OverrideEntry) => OverrideEntry): string {
  const lines = text.split("\n");
  lines[n - 1] = formatEntry(edit(parseEntry(lines[n - 1]) as OverrideEntry));
  return lines.join("\n");
}

Deno.test("signed approvals: signed by the approver's key, checked against main's approvers", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "mlp-approvals-" });
  const keys = await Deno.makeTempDir({ prefix: "mlp-keys-" });
  const jane = await makeKey(keys, "jane");
  const mallory = await makeKey(keys, "mallory");
  await git(root, ["init", "-q", "-b", "main"]);
  const unconfigured = await commitStandards(root, standards([]), "Standards without approvers");

  await t.step("no approvers on main: unsigned with a warning; --sign-key is refused", async () => {
    const plan = await planApproval({ root, operator: JANE, kind: "override", signKey: undefined });
    assert.deepEqual(plan, {
      signed: false,
      signer: undefined,
      warning: "mlp: warning: configs/project_standards.yaml on the main branch lists no " +
        `approvers, so this override is recorded unsigned: "${JANE}" is self-asserted ` +
        '(docs/governance.md, "Signed approvals")',
    });
    await assert.rejects(
      planApproval({ root, operator: JANE, kind: "override", signKey: jane.path }),
      (error) =>
        error instanceof InputError &&
        error.message === "--sign-key is given, but no approver's key can verify the signature",
    );
    await appendOverrideEntries(root, [override(JANE, unconfigured)]);
    const [finding] = await signatureFindings(root, await readLog(root));
    assert.deepEqual(finding, {
      line: 1,
      kind: "protected_override",
      identity: JANE,
      status: "unsigned",
      message: "unsigned: main listed no approvers when it was made",
    });
  });

  const configured = await commitStandards(
    root,
    standards([{ identity: JANE, key: jane.pub, may: ["override", "promotion"] }]),
    "Jane approves",
  );

  await t.step("the approver's key signs exactly what is chained, and it verifies", async () => {
    const plan = await planApproval({ root, operator: JANE, kind: "override", signKey: jane.path });
    assert.equal(plan.signed, true);
    const unsandboxed: NewEntry = {
      ...override(JANE, configured),
      kind: "unsandboxed",
      field: "sandbox",
      old: "landlock",
      new: "none",
    };
    await appendOverrideEntries(root, [override(JANE, configured), unsandboxed], plan.signer);
    const lines = (await readLog(root)).trim().split("\n");
    const signed = parseEntry(lines[1]) as OverrideEntry;
    assert.equal(signed.approvers_at, configured);
    assert.match(
      signed.sig!,
      /^-----BEGIN SSH SIGNATURE-----\n[\s\S]+-----END SSH SIGNATURE-----\n$/,
    );
    assert.equal(lines[1], formatEntry(signed));
    assert.equal(signedText(signed), lines[1].replace(/,"sig":"[^"]*"\}$/, "}"));
    assert.equal((parseEntry(lines[2]) as OverrideEntry).sig, undefined, "not an approval");
    const findings = await signatureFindings(root, await readLog(root));
    assert.deepEqual(findings.map((f) => [f.line, f.status, f.identity]), [
      [1, "unsigned", JANE],
      [2, "signed", JANE],
    ]);
    assert.match(
      findings[1].message,
      /^Good "mlp-approval" signature for jane@bank\.example with ED25519 key SHA256:/,
    );
    // Line 1 was recorded before main listed approvers (its commit's merge base with main has
    // none): it stays an unsigned finding, not a forgery.
  });

  await t.step("an edited signed entry fails, naming the entry and the identity", async () => {
    const tampered = editLine(await readLog(root), 2, (e) => ({ ...e, new: "random_split" }));
    const finding = (await signatureFindings(root, tampered))[1];
    assert.equal(finding.status, "invalid");
    assert.equal(finding.line, 2);
    assert.equal(finding.identity, JANE);
    assert.match(
      finding.message,
      new RegExp(
        `^the signature does not verify with "${JANE}"'s key in configs/project_standards\\.yaml ` +
          `at ${
            configured.slice(0, 12)
          }: the entry was changed after it was signed, or signed by another key \\(`,
      ),
    );
  });

  await t.step("an approver forged by editing the entry is not an approver", async () => {
    const forged = editLine(await readLog(root), 2, (e) => ({ ...e, operator: MALLORY }));
    const finding = (await signatureFindings(root, forged))[1];
    assert.deepEqual([finding.status, finding.identity, finding.message], [
      "invalid",
      MALLORY,
      `"${MALLORY}" is not an approver of an override in configs/project_standards.yaml at ` +
      `${configured.slice(0, 12)} (who may: ${JANE})`,
    ]);
  });

  await t.step("another key is refused before signing, and its signature fails", async () => {
    await assert.rejects(
      planApproval({ root, operator: JANE, kind: "promotion", signKey: mallory.path }),
      (error) =>
        error instanceof CheckError &&
        error.message === `The key "${mallory.path}" is not a key of approver "${JANE}"`,
    );
    const resigned = editLine(await readLog(root), 2, (e) => e);
    const entry = parseEntry(resigned.split("\n")[1]) as OverrideEntry;
    const sig = await signMessage(mallory.path, signedText(entry));
    const forged = editLine(resigned, 2, (e) => ({ ...e, sig }));
    const finding = (await signatureFindings(root, forged))[1];
    assert.equal(finding.status, "invalid");
    assert.match(finding.message, /^the signature does not verify with "jane@bank\.example"'s key/);
  });

  await t.step("an operator who is not an approver is refused with who may", async () => {
    await assert.rejects(
      planApproval({ root, operator: MALLORY, kind: "override", signKey: mallory.path }),
      (error) =>
        error instanceof CheckError &&
        error.message === `"${MALLORY}" is not an approver: an override must be signed by one` &&
        error.details[0] ===
          `who may approve an override (configs/project_standards.yaml on main, ${
            configured.slice(0, 12)
          }): ${JANE}`,
    );
    await assert.rejects(
      planApproval({ root, operator: JANE, kind: "override", signKey: undefined }),
      (error) =>
        error instanceof CheckError &&
        error.message === `An override by "${JANE}" must be signed with their SSH key`,
    );
  });

  await t.step("an approver added on a branch signs nothing", async () => {
    await git(root, ["checkout", "-q", "-b", "mallory"]);
    const branch = await commitStandards(
      root,
      standards([{ identity: MALLORY, key: mallory.pub, may: ["override"] }]),
      "Mallory approves herself",
    );
    const text = signedText({
      ...override(MALLORY, branch),
      prev: "0".repeat(64),
      approvers_at: branch,
    });
    const entry: OverrideEntry = {
      ...override(MALLORY, branch),
      prev: "0".repeat(64),
      approvers_at: branch,
      sig: await signMessage(mallory.path, text),
    };
    const [finding] = await signatureFindings(root, `${formatEntry(entry)}\n`);
    assert.equal(
      finding.message,
      `"approvers_at" ${branch.slice(0, 12)} is not a commit of the main branch: ` +
        "only approvers merged into main may sign",
    );
    await git(root, ["checkout", "-q", "main"]);
  });

  await t.step("a key rotated out later still verifies what it signed while listed", async () => {
    await commitStandards(
      root,
      standards([{ identity: JANE, key: mallory.pub, may: ["override"] }]),
      "Jane's new key",
    );
    const findings = await signatureFindings(root, await readLog(root));
    assert.deepEqual(
      findings.map((f) => f.status),
      ["unsigned", "signed"],
      JSON.stringify(findings),
    );
    await assert.rejects(
      planApproval({ root, operator: JANE, kind: "override", signKey: jane.path }),
      (error) => error instanceof CheckError && /is not a key of approver/.test(error.message),
    );
  });
  await Deno.remove(root, { recursive: true });
  await Deno.remove(keys, { recursive: true });
});

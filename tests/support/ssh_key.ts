/**
 * Test support: a throwaway SSH key made by the real ssh-keygen, and the standards' approver
 * entry for it (docs/governance.md, "Signed approvals").
 *
 * @module
 */
import { join } from "node:path";

/** A key pair: the private key's path and the one line of its `.pub`. */
export interface SshKey {
  path: string;
  pub: string;
}

/** Makes an ed25519 key without a passphrase in a new temporary folder. */
export async function makeSshKey(comment: string): Promise<SshKey> {
  const dir = await Deno.makeTempDir({ prefix: "mlp-e2e-keys-" });
  const path = join(dir, "approver");
  const made = await new Deno.Command("ssh-keygen", {
    args: ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path],
  }).output();
  if (made.code !== 0) throw new Error(new TextDecoder().decode(made.stderr));
  return { path, pub: (await Deno.readTextFile(`${path}.pub`)).trim() };
}

/** The `approvers:` section listing `identity` with `key`, allowed to give `may`. */
export function approversSection(identity: string, key: SshKey, may: string[]): string {
  return `approvers:\n  - identity: ${identity}\n    key: "${key.pub}"\n    may: [${
    may.join(", ")
  }]`;
}

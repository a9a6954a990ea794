/**
 * SSH signatures of approvals, made and checked by OpenSSH's `ssh-keygen -Y sign` and
 * `ssh-keygen -Y verify` exactly as git signs commits with `gpg.format=ssh`, under mlp's own
 * namespace so that a signature made for git (or anything else) is never accepted as an approval.
 *
 * @module
 */
import { join } from "node:path";
import { CheckError } from "../errors.ts";
import type { Approver } from "../config/standards.ts";

/** The signature namespace of approvals (`ssh-keygen -n`). */
export const APPROVAL_NAMESPACE = "mlp-approval";

/** What `ssh-keygen -Y verify` said: whether the signature is good, and its message. */
export interface SignatureCheck {
  ok: boolean;
  message: string;
}

/**
 * The allowed-signers file (ssh-keygen(1), ALLOWED SIGNERS) that accepts `approvers`' keys for
 * their identities, and only in {@linkcode APPROVAL_NAMESPACE}. A key's comment is left out: only
 * its type and base64 are the key.
 *
 * @example Usage
 * ```ts
 * import { allowedSigners } from "./ssh_signature.ts";
 * allowedSigners([{ identity: "jane@bank.example", key: "ssh-ed25519 AAAA jane", may: ["override"] }]);
 * // => 'jane@bank.example namespaces="mlp-approval" ssh-ed25519 AAAA\n'
 * ```
 */
export function allowedSigners(approvers: readonly Approver[]): string {
  return approvers.map((approver) =>
    `${approver.identity} namespaces="${APPROVAL_NAMESPACE}" ${publicKeyOf(approver.key)}\n`
  ).join("");
}

/** The `<type> <base64>` of a public-key line, without its comment: what identifies the key. */
export function publicKeyOf(line: string): string {
  return line.trim().split(/\s+/).slice(0, 2).join(" ");
}

/**
 * Signs `message` with the SSH key at `keyPath` (a private key, or a public key whose private
 * half ssh-agent holds) in {@linkcode APPROVAL_NAMESPACE}; a key with a passphrase asks for it on
 * the terminal, as `git commit -S` does.
 *
 * @returns The armored signature (`-----BEGIN SSH SIGNATURE-----` …).
 * @throws {CheckError} when ssh-keygen cannot sign (no such key, wrong passphrase, no agent).
 */
export async function signMessage(keyPath: string, message: string): Promise<string> {
  const output = await sshKeygen(["-Y", "sign", "-f", keyPath, "-n", APPROVAL_NAMESPACE], message);
  const signature = new TextDecoder().decode(output.stdout);
  if (output.code !== 0 || !signature.startsWith("-----BEGIN SSH SIGNATURE-----")) {
    throw new CheckError(`ssh-keygen could not sign the approval with the key "${keyPath}"`, {
      details: stderrLines(output.stderr),
      hint: "give the path of your SSH private key (or of its .pub with the key in ssh-agent) " +
        "with --sign-key, and its passphrase when asked",
    });
  }
  return signature;
}

/**
 * Checks that `signature` is `identity`'s signature of `message` in
 * {@linkcode APPROVAL_NAMESPACE} by one of `approvers`' keys (those of other identities never
 * match: ssh-keygen matches `-I` against each line's principal).
 */
export async function verifyMessage(
  approvers: readonly Approver[],
  identity: string,
  message: string,
  signature: string,
): Promise<SignatureCheck> {
  const dir = await Deno.makeTempDir({ prefix: "mlp-approval-" });
  try {
    const signers = join(dir, "allowed_signers");
    const sig = join(dir, "approval.sig");
    await Deno.writeTextFile(signers, allowedSigners(approvers));
    await Deno.writeTextFile(sig, signature);
    const output = await sshKeygen(
      ["-Y", "verify", "-f", signers, "-I", identity, "-n", APPROVAL_NAMESPACE, "-s", sig],
      message,
    );
    const said = [
      ...new TextDecoder().decode(output.stdout).split("\n"),
      ...stderrLines(output.stderr),
    ].map((line) => line.trim()).filter((line) => line !== "");
    return { ok: output.code === 0, message: said.join("; ") };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The public key of the key at `keyPath`, `<type> <base64>`: its `.pub` beside it when there is
 * one (no passphrase asked), the file itself when it is a public key, else derived from the
 * private key by `ssh-keygen -y` (which asks for the passphrase of an encrypted key).
 *
 * @throws {CheckError} when the file is not an SSH key ssh-keygen can read.
 */
export async function publicKeyOfFile(keyPath: string): Promise<string> {
  for (const path of [keyPath.endsWith(".pub") ? keyPath : `${keyPath}.pub`, keyPath]) {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    if (/^(ssh-|ecdsa-|sk-)\S+ [A-Za-z0-9+/=]+/.test(text)) return publicKeyOf(text);
  }
  const output = await sshKeygen(["-y", "-f", keyPath], null);
  const text = new TextDecoder().decode(output.stdout);
  if (output.code !== 0 || text.trim() === "") {
    throw new CheckError(`"${keyPath}" is not an SSH key ssh-keygen can read`, {
      details: stderrLines(output.stderr),
      hint: "give the path of your SSH private key with --sign-key, e.g. ~/.ssh/id_ed25519",
    });
  }
  return publicKeyOf(text);
}

async function sshKeygen(
  args: string[],
  stdin: string | null,
): Promise<{ code: number; stdout: Uint8Array; stderr: Uint8Array }> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("ssh-keygen", {
      args,
      stdin: stdin === null ? "inherit" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new CheckError("ssh-keygen is not installed: approvals are signed with it", {
      hint: "install OpenSSH's client (apt install openssh-client; it comes with git for Windows)",
    });
  }
  if (stdin !== null) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  return await child.output();
}

/** ssh-keygen's stderr, without its progress line about reading standard input. */
function stderrLines(stderr: Uint8Array): string[] {
  return new TextDecoder().decode(stderr).split("\n").map((line) => line.trim())
    .filter((line) => line !== "" && !/^Signing data on standard input$/.test(line));
}

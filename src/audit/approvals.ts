/**
 * Signed approvals (docs/governance.md, "Signed approvals"): who may approve an override or a
 * promotion is `approvers` in configs/project_standards.yaml on the main branch, each with an SSH
 * public key; the approval's audit entry is signed with that key. Main is the trust anchor because
 * it changes only through the merge gate: an approver added on a branch, or in the work tree,
 * approves nothing. When main lists no approvers, approvals are recorded unsigned with a warning.
 *
 * @module
 */
import { homedir } from "node:os";
import { CheckError, InputError } from "../errors.ts";
import { gitOutput, gitShow } from "../fingerprint/git.ts";
import { type ApprovalKind, type Approver, parseStandards } from "../config/standards.ts";
import { mainBranch } from "../project/main_branch.ts";
import { STANDARDS_PATH } from "../project/paths.ts";
import type { EntryKind, EntrySigner, OverrideEntry } from "./override_log.ts";
import { signedText } from "./override_log.ts";
import { publicKeyOf, publicKeyOfFile, signMessage, verifyMessage } from "./ssh_signature.ts";

/** The approval an entry of `kind` is, or `null` for an entry that needs none. */
export function approvalKindOf(kind: EntryKind): ApprovalKind | null {
  if (kind === "protected_override") return "override";
  if (kind === "promotion" || kind === "promotion_revoked") return "promotion";
  return null;
}

/** How an approval's entries are written: signed by `signer`, or unsigned with `warning`. */
export type ApprovalPlan =
  | { signed: true; identity: string; approversAt: string; signer: EntrySigner }
  | { signed: false; warning: string; signer: undefined };

/** What the approver asked: who, what, and with which key (`--sign-key`). */
export interface ApprovalRequest {
  root: string;
  /** The operator the entries name (MLP_OPERATOR, else git user.email). */
  operator: string;
  kind: ApprovalKind;
  /** `--sign-key`; absent: git's `user.signingkey` when `gpg.format` is `ssh`. */
  signKey: string | undefined;
}

/**
 * The approvers the standards at `commit` list; `[]` when that commit has no standards file.
 *
 * @throws {InputError} when the file at that commit is not valid standards.
 */
export async function approversAt(root: string, commit: string): Promise<Approver[]> {
  const bytes = await gitShow(root, commit, STANDARDS_PATH);
  if (bytes === null) return [];
  return parseStandards(new TextDecoder().decode(bytes), `${commit.slice(0, 12)}:${STANDARDS_PATH}`)
    .approvers;
}

/** "an override", "a promotion": `kind` for messages. */
export function withArticle(kind: ApprovalKind): string {
  return kind === "override" ? "an override" : "a promotion";
}

function capitalized(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}

/** Who may give approvals of `kind`, for messages. */
export function allowedList(approvers: readonly Approver[], kind: ApprovalKind): string {
  const names = [
    ...new Set(approvers.filter((a) => a.may.includes(kind)).map((a) => a.identity)),
  ];
  return names.length === 0 ? "nobody" : names.join(", ");
}

/**
 * Decides how an approval is recorded, before anything runs: when main's standards list
 * approvers, the operator must be one that may give `kind`, and the key must be one of theirs
 * (compared by public key, so no passphrase is asked yet); the plan then signs each entry that is
 * an approval and checks the signature before it is written.
 *
 * @throws {CheckError} naming who may approve and how to sign, when the approval cannot be signed
 * @throws {InputError} for `--sign-key` while main lists no approvers
 */
export async function planApproval(request: ApprovalRequest): Promise<ApprovalPlan> {
  const { root, operator, kind } = request;
  let main: { branch: string; commit: string } | null;
  try {
    main = await mainBranch(root);
  } catch (error) {
    if (!(error instanceof CheckError)) throw error;
    main = null;
  }
  const approvers = main === null ? [] : await approversAt(root, main.commit);
  if (main === null || approvers.length === 0) {
    if (request.signKey !== undefined) {
      throw new InputError("--sign-key is given, but no approver's key can verify the signature", {
        hint: `${STANDARDS_PATH} on the main branch lists no approvers: add yours under ` +
          "`approvers:` (identity, key, may) and merge it into main, or leave out --sign-key",
      });
    }
    return {
      signed: false,
      signer: undefined,
      warning: `mlp: warning: ${STANDARDS_PATH} on the main branch lists no approvers, so this ` +
        `${kind} is recorded unsigned: "${operator}" is self-asserted (docs/governance.md, ` +
        `"Signed approvals")`,
    };
  }
  const howToSign = `sign as an approver: set git user.email (or MLP_OPERATOR) to your approver ` +
    `identity and give your SSH key with --sign-key ~/.ssh/id_ed25519 (or set \`git config ` +
    "gpg.format ssh\` and `git config user.signingkey <key>`)";
  const mine = approvers.filter((a) => a.identity === operator);
  const candidates = mine.filter((a) => a.may.includes(kind));
  if (candidates.length === 0) {
    throw new CheckError(
      mine.length === 0
        ? `"${operator}" is not an approver: ${withArticle(kind)} must be signed by one`
        : `"${operator}" may not approve ${withArticle(kind)} (may: ${
          mine.flatMap((a) => a.may).join(", ")
        })`,
      {
        details: [
          `who may approve ${withArticle(kind)} (${STANDARDS_PATH} on ${main.branch}, ` +
          `${main.commit.slice(0, 12)}): ${allowedList(approvers, kind)}`,
        ],
        hint: howToSign,
      },
    );
  }
  const key = request.signKey ?? await gitSigningKey(root);
  if (key === null) {
    throw new CheckError(
      `${capitalized(withArticle(kind))} by "${operator}" must be signed with their SSH key`,
      {
        details: [`approvers are configured in ${STANDARDS_PATH} on ${main.branch}`],
        hint: howToSign,
      },
    );
  }
  const path = expandHome(key);
  const publicKey = await publicKeyOfFile(path);
  if (!candidates.some((a) => publicKeyOf(a.key) === publicKey)) {
    throw new CheckError(`The key "${key}" is not a key of approver "${operator}"`, {
      details: [
        `its public key is ${publicKey}`,
        `${STANDARDS_PATH} on ${main.branch} (${main.commit.slice(0, 12)}) lists for ` +
        `"${operator}": ${candidates.map((a) => publicKeyOf(a.key)).join(", ")}`,
      ],
      hint: `sign with the key the standards list, or add this public key for "${operator}" ` +
        "under `approvers:` through a reviewed change merged into main",
    });
  }
  const approversCommit = main.commit;
  const signer: EntrySigner = async (entry) => {
    if (approvalKindOf(entry.kind) === null) return entry;
    const unsigned: OverrideEntry = { ...entry, approvers_at: approversCommit };
    const text = signedText(unsigned);
    const sig = await signMessage(path, text);
    const check = await verifyMessage(candidates, operator, text, sig);
    if (!check.ok) {
      throw new CheckError(`The approval signed with "${key}" does not verify`, {
        details: [check.message],
        hint: `sign with the key ${STANDARDS_PATH} on main lists for "${operator}"`,
      });
    }
    return { ...unsigned, sig };
  };
  return { signed: true, identity: operator, approversAt: approversCommit, signer };
}

/**
 * git's signing key, as `git commit -S` would use it: `user.signingkey` when `gpg.format` is
 * `ssh`; `null` otherwise.
 *
 * @throws {InputError} for a literal `key::` signing key (mlp signs with a key file).
 */
async function gitSigningKey(root: string): Promise<string | null> {
  const config = async (name: string) => {
    const out = await gitOutput(root, ["config", "--get", name]);
    return out.code === 0 ? new TextDecoder().decode(out.stdout).trim() : "";
  };
  if ((await config("gpg.format")) !== "ssh") return null;
  const key = await config("user.signingkey");
  if (key === "") return null;
  if (key.startsWith("key::")) {
    throw new InputError("git's user.signingkey is a literal key, not a key file", {
      hint: "give the key file (or its .pub with the key in ssh-agent) with --sign-key",
    });
  }
  return key;
}

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? homedir() + path.slice(1) : path;
}

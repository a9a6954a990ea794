/**
 * The signatures of the override log's approvals, checked one by one (`mlp log verify`, and
 * `mlp audit` through {@linkcode signatureFindings}). A signed entry is checked against the
 * approvers of the standards at the commit it names in `approvers_at`, which must be on the main
 * branch: a key removed from the standards later (rotated) still verifies what it signed while it
 * was listed, and no key added on a branch verifies anything. An unsigned approval is a failure
 * when main, where the work began (the merge base of the entry's commit and main), already listed
 * approvers, and otherwise a finding of its own: recorded before approvers were configured.
 *
 * @module
 */
import { MlpError } from "../errors.ts";
import { gitOutput } from "../fingerprint/git.ts";
import { isAncestor, mainBranch } from "../project/main_branch.ts";
import { STANDARDS_PATH } from "../project/paths.ts";
import { allowedList, approvalKindOf, approversAt, withArticle } from "./approvals.ts";
import { type EntryKind, parseEntry, signedText } from "./override_log.ts";
import { verifyMessage } from "./ssh_signature.ts";

/** What one approval's signature is: good, absent where none was required, or not good. */
export type SignatureStatus = "signed" | "unsigned" | "invalid";

/** One approval of the log and what its signature proves. */
export interface SignatureFinding {
  /** 1-based line of the log. */
  line: number;
  kind: EntryKind;
  /** The approver the entry names (`operator`). */
  identity: string;
  status: SignatureStatus;
  /** Why: whose key verified it, why it failed, or why an unsigned entry is accepted. */
  message: string;
}

/**
 * Checks the signature of every approval (override, promotion, revocation) in the log `text`;
 * other entries and lines that are not entries are left to the chain check.
 *
 * @param root The project root (its git repository holds the standards the approvers are read
 *   from).
 * @param options `after`: check only the lines after this many (the ones a commit appends).
 *
 * @example Usage
 * ```ts
 * import { signatureFindings } from "./signature_findings.ts";
 * await signatureFindings(".", ""); // => []
 * ```
 */
export async function signatureFindings(
  root: string,
  text: string,
  options: { after?: number } = {},
): Promise<SignatureFinding[]> {
  const after = options.after ?? 0;
  const approvals = text.split("\n").flatMap((line, index) => {
    const entry = line === "" || index < after ? null : parseEntry(line);
    if (entry === null || typeof entry === "string") return [];
    const kind = approvalKindOf(entry.kind);
    return kind === null ? [] : [{ line: index + 1, entry, kind }];
  });
  if (approvals.length === 0) return [];
  const main = await mainBranch(root).catch(() => null);
  const findings: SignatureFinding[] = [];
  for (const { line, entry, kind } of approvals) {
    const finding = (status: SignatureStatus, message: string): SignatureFinding => ({
      line,
      kind: entry.kind,
      identity: entry.operator,
      status,
      message,
    });
    if (entry.sig === undefined) {
      const base = main === null ? null : await mergeBase(root, entry.commit, main.commit);
      const approvers = base === null ? [] : await readApprovers(root, base);
      if (typeof approvers === "string") findings.push(finding("invalid", approvers));
      else if (approvers.length > 0) {
        findings.push(finding(
          "invalid",
          `the ${kind} is unsigned, but ${STANDARDS_PATH} on main at ${base!.slice(0, 12)} ` +
            `lists approvers (of ${withArticle(kind)}: ${
              allowedList(approvers, kind)
            }): forged, or made ` +
            "by an mlp that does not sign",
        ));
      } else {
        findings.push(finding("unsigned", `unsigned: main listed no approvers when it was made`));
      }
      continue;
    }
    const at = entry.approvers_at ?? "";
    if (!/^[0-9a-f]{40}$/.test(at)) {
      findings.push(finding("invalid", `"approvers_at" is "${at}", not a commit`));
      continue;
    }
    if (main === null || !(await isAncestor(root, at, main.commit))) {
      findings.push(finding(
        "invalid",
        `"approvers_at" ${at.slice(0, 12)} is not a commit of the main branch: ` +
          "only approvers merged into main may sign",
      ));
      continue;
    }
    const approvers = await readApprovers(root, at);
    if (typeof approvers === "string") {
      findings.push(finding("invalid", approvers));
      continue;
    }
    const keys = approvers.filter((a) => a.identity === entry.operator && a.may.includes(kind));
    if (keys.length === 0) {
      findings.push(finding(
        "invalid",
        `"${entry.operator}" is not an approver of ${withArticle(kind)} in ${STANDARDS_PATH} at ` +
          `${at.slice(0, 12)} (who may: ${allowedList(approvers, kind)})`,
      ));
      continue;
    }
    const check = await verifyMessage(keys, entry.operator, signedText(entry), entry.sig);
    findings.push(
      check.ok ? finding("signed", check.message) : finding(
        "invalid",
        `the signature does not verify with "${entry.operator}"'s key in ${STANDARDS_PATH} ` +
          `at ${at.slice(0, 12)}: the entry was changed after it was signed, or signed by ` +
          `another key (${check.message})`,
      ),
    );
  }
  return findings;
}

/** The approvers at `commit`, or why they cannot be read. */
async function readApprovers(
  root: string,
  commit: string,
): Promise<Awaited<ReturnType<typeof approversAt>> | string> {
  try {
    return await approversAt(root, commit);
  } catch (error) {
    if (!(error instanceof MlpError)) throw error;
    return `${STANDARDS_PATH} at ${commit.slice(0, 12)} cannot be read: ${error.message}`;
  }
}

/** The merge base of `commit` and `main`, or `null` when `commit` is not in the repository. */
async function mergeBase(root: string, commit: string, main: string): Promise<string | null> {
  if (!/^[0-9a-f]{40}$/.test(commit)) return null;
  const out = await gitOutput(root, ["merge-base", commit, main]);
  return out.code === 0 ? new TextDecoder().decode(out.stdout).trim() : null;
}

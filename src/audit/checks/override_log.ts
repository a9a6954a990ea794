/**
 * Check "override log": the log's hash chain is intact, the work tree's log extends the one
 * committed at HEAD, each audited commit of main only appended to it, and the log and the store
 * agree both ways (every entry anchored by its run, every escape hatch a run used logged), as
 * `mlp log verify` checks them (src/audit/override_anchor.ts).
 *
 * @module
 */
import { checkEntriesAnchored, checkRunsLogged, readAt } from "../override_anchor.ts";
import { checkLogOnlyGrows, OVERRIDE_LOG, verifyOverrideLog } from "../override_log.ts";
import type { Finding } from "../finding.ts";
import { commitSubject } from "../history.ts";
import type { AuditContext } from "../run_audit.ts";

const CHECK = "override log";

const RESTORE = "restore the log from git history (`git log -p -- logs/protected_overrides.log` " +
  "shows every committed version) and find out who changed it";

const ANCHORED = "an entry must be the line mlp wrote for its run, and the run's record " +
  "unchanged since its seal: compare the log with its git history (`git log -p -- " +
  "logs/protected_overrides.log`) and the run with its seal (`mlp verify-run`), and find out " +
  "who changed which";

/** The override log's findings. */
export async function checkOverrideLog(context: AuditContext): Promise<Finding[]> {
  const { root, logText, reader } = context;
  const finding = (subject: string, problem: string, fix = RESTORE): Finding => ({
    level: "finding",
    check: CHECK,
    subject,
    problem,
    fix,
  });
  const findings = verifyOverrideLog(logText, OVERRIDE_LOG).problems.map((p) =>
    finding(`${OVERRIDE_LOG}:${p.line}`, p.message)
  );
  const committed = await readAt(root, "HEAD", OVERRIDE_LOG);
  if (!logText.startsWith(committed)) {
    const [problem] = checkLogOnlyGrows(committed, logText, OVERRIDE_LOG);
    findings.push(finding(
      `${OVERRIDE_LOG}:${problem.line}`,
      `${problem.message} (the work tree's log is not the one committed at HEAD plus new entries)`,
      `restore the committed entries (\`git checkout HEAD -- ${OVERRIDE_LOG}\`) and find out who ` +
        "changed them",
    ));
  }
  for (const { commit, class: judged } of context.classified) {
    if (judged.kind === "before-gate" || judged.kind === "before-since") continue;
    if (commit.logAppendOnly) continue;
    findings.push(finding(
      commitSubject(commit),
      `changes committed entries of ${OVERRIDE_LOG}: its log does not start with the log of ` +
        `its first parent ${commit.parents[0].slice(0, 12)}`,
      `\`git diff ${commit.parents[0].slice(0, 12)} ${
        commit.sha.slice(0, 12)
      } -- ${OVERRIDE_LOG}\` ` +
        "shows the change; restore the entries on a branch, merge it, and find out who changed them",
    ));
  }
  for (const problem of await checkEntriesAnchored(root, logText, OVERRIDE_LOG, reader)) {
    findings.push(finding(`${OVERRIDE_LOG}:${problem.line}`, problem.message, ANCHORED));
  }
  for (const problem of await checkRunsLogged(root, logText, OVERRIDE_LOG, reader)) {
    findings.push(finding(OVERRIDE_LOG, problem));
  }
  return findings;
}

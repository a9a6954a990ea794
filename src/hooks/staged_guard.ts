/**
 * The training guard on the index, as the commit will record it: every staged file that is
 * Python (by name, or an executable with a Python shebang), every staged symlink as the file or
 * folder it points to, and every unchanged symlink whose target the commit changes.
 *
 * @module
 */
import type { FileProblem } from "../guard/check_file.ts";
import {
  byFile,
  guardItem,
  type GuardTree,
  linksReaching,
  planScan,
  type TreeEntry,
} from "../guard/guard_tree.ts";
import { isExcludedPath } from "../guard/python_files.ts";
import { gitRun } from "../fingerprint/git.ts";
import { readObjects, type StagedChange } from "./staged.ts";

const LINK_MODE = "120000";
const EXECUTABLE_MODE = "100755";
const SUBMODULE_MODE = "160000";

/**
 * The training guard's problems in the staged tree at `root`, sorted by file.
 *
 * @param blobs Staged blobs the caller has read already (`:path` → bytes); others are read here.
 */
export async function guardIndex(
  root: string,
  changes: readonly StagedChange[],
  blobs: ReadonlyMap<string, Uint8Array | null>,
): Promise<FileProblem[]> {
  const entries = await indexEntries(root);
  const links = [...entries].filter(([path, entry]) =>
    entry.kind === "link" && !isExcludedPath(path)
  );
  const targets = links.length === 0
    ? new Map<string, Uint8Array | null>()
    : await readObjects(root, links.map(([path]) => `:${path}`));
  const decoder = new TextDecoder();
  const tree: GuardTree = {
    entries,
    linkTarget: (path) => decoder.decode(targets.get(`:${path}`) ?? new Uint8Array()),
  };
  const staged = new Set(changes.filter((c) => c.status !== "D").map((c) => c.path));
  const judged = links.length === 0 ? staged : [...staged, ...linksReaching(tree, staged)];
  const plan = planScan(tree, judged);

  const unread = plan.items.map((item) => `:${item.source}`).filter((spec) => !blobs.has(spec));
  const more = unread.length === 0 ? new Map() : await readObjects(root, unread);
  const problems = [...plan.problems];
  for (const item of plan.items) {
    const spec = `:${item.source}`;
    const content = blobs.get(spec) ?? more.get(spec) ?? new Uint8Array();
    problems.push(...guardItem(item, content) ?? []);
  }
  return byFile(problems);
}

/** Every entry of the index (stage 0), by project-relative path; submodules left out. */
async function indexEntries(root: string): Promise<Map<string, TreeEntry>> {
  const output = await gitRun(root, ["ls-files", "--stage", "-z"]);
  const entries = new Map<string, TreeEntry>();
  for (const record of output.split("\0")) {
    const tab = record.indexOf("\t");
    if (tab < 0) continue;
    const mode = record.slice(0, 6);
    if (mode === SUBMODULE_MODE) continue;
    entries.set(record.slice(tab + 1), {
      kind: mode === LINK_MODE ? "link" : "file",
      executable: mode === EXECUTABLE_MODE,
    });
  }
  return entries;
}

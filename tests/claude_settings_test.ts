/**
 * The template's `.claude/settings.json` against Claude Code's documented settings format
 * (permissions and hooks references): every rule is `Tool` or `Tool(specifier)` with a known
 * tool, path rules use Read or Edit (the only tools whose path rules are consulted) anchored at
 * the project root, and the PreToolUse hook matches exactly the tools `mlp hook claude` judges.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { JUDGED_TOOLS } from "../src/harness/claude_rules.ts";
import { MLP_ROOT } from "./support/project.ts";

/** Claude Code's built-in tools, as the permissions reference names them. */
const TOOLS = new Set([
  "Agent",
  "Bash",
  "Edit",
  "Glob",
  "Grep",
  "MultiEdit",
  "NotebookEdit",
  "NotebookRead",
  "Read",
  "Skill",
  "Task",
  "TodoWrite",
  "WebFetch",
  "WebSearch",
  "Write",
]);
/** A rule: `Tool` or `Tool(specifier)`, the specifier non-empty and without unbalanced parens. */
const RULE = /^([A-Za-z]+)(?:\(([^()]+)\))?$/;
/** A matcher of exact tool names (letters, digits, `_`, `-`, `|`): not read as a regex. */
const EXACT_MATCHER = /^[A-Za-z0-9_|-]+$/;

const settings = JSON.parse(
  await Deno.readTextFile(join(MLP_ROOT, "template/.claude/settings.json")),
);

Deno.test("the template's settings hold only permissions and hooks", () => {
  deepEqual(Object.keys(settings).sort(), ["hooks", "permissions"]);
  deepEqual(Object.keys(settings.permissions), ["deny"]);
  deepEqual(Object.keys(settings.hooks), ["PreToolUse"]);
});

Deno.test("every deny rule is Tool or Tool(specifier), paths on Read or Edit from the root", () => {
  const rules: string[] = settings.permissions.deny;
  ok(rules.length > 0);
  equal(new Set(rules).size, rules.length, "no rule twice");
  for (const rule of rules) {
    const parsed = RULE.exec(rule);
    ok(parsed, `${rule} is not Tool or Tool(specifier)`);
    const [, tool, specifier] = parsed;
    ok(TOOLS.has(tool), `${rule}: unknown tool ${tool}`);
    if (tool === "Read" || tool === "Edit") {
      // "/path" is relative to the project root for a project's settings; "//" would be absolute.
      match(specifier, /^\/[^/]/, `${rule}: a path rule anchored at the project root`);
    } else {
      equal(tool, "Bash", `${rule}: only Read, Edit and Bash rules are used`);
    }
  }
});

Deno.test("the deny rules cover what the task names", () => {
  const rules: string[] = settings.permissions.deny;
  for (
    const rule of [
      "Read(/data/production/**)",
      "Edit(/data/shadow/**)",
      "Edit(/logs/**)",
      "Edit(/configs/project_standards.yaml)",
      "Edit(/.githooks/**)",
      "Edit(/.claude/**)",
      "Edit(/.github/workflows/**)",
      "Edit(/.gitlab-ci.yml)",
      "Edit(/scripts/ci/**)",
      "Bash(git *--no-verify*)",
      "Bash(git commit -n*)",
      "Bash(git *core.hooksPath*)",
      "Bash(git notes add*)",
      "Bash(git update-ref*)",
      "Bash(git push --force*)",
    ]
  ) {
    ok(rules.includes(rule), rule);
  }
});

Deno.test("the PreToolUse hook runs mlp hook claude for exactly the tools it judges", () => {
  const entries = settings.hooks.PreToolUse;
  equal(entries.length, 1);
  const [entry] = entries;
  deepEqual(Object.keys(entry).sort(), ["hooks", "matcher"]);
  match(entry.matcher, EXACT_MATCHER);
  const names: string[] = entry.matcher.split("|");
  for (const name of names) ok(TOOLS.has(name), name);
  deepEqual([...names].sort(), [...JUDGED_TOOLS].sort());
  equal(entry.hooks.length, 1);
  const [handler] = entry.hooks;
  deepEqual(Object.keys(handler).sort(), ["command", "timeout", "type"]);
  equal(handler.type, "command");
  match(handler.command, /"\$m" hook claude;/);
  equal(typeof handler.timeout, "number");
});

/**
 * Every `mlp …` command the template's AGENTS.md, README and skills mention exists in mlp's command
 * tree, unless the same line says it is "not yet available" (issue 8, item 6).
 */
import { equal } from "node:assert/strict";
import type { Command } from "commander";
import { buildProgram } from "./program.ts";

const TEMPLATE = new URL("../../template/", import.meta.url);
const DOCS = [
  "AGENTS.md.jinja",
  "README.md.jinja",
  "CLAUDE.md",
  "skills/new_feature.md",
  "skills/hyperparameter_search.md",
  "skills/model_comparison.md",
  "skills/promote_model.md",
  "skills/backup_and_restore.md",
];

function commandNames(program: Command): Set<string> {
  const names = new Set<string>();
  for (const command of program.commands) {
    names.add(command.name());
    for (const sub of command.commands) names.add(`${command.name()} ${sub.name()}`);
  }
  return names;
}

Deno.test("the template's docs name only mlp commands that exist", async () => {
  const known = commandNames(buildProgram());
  const missing: string[] = [];
  for (const doc of DOCS) {
    const lines = (await Deno.readTextFile(new URL(doc, TEMPLATE))).split("\n");
    lines.forEach((line, index) => {
      // Inside backticks: `mlp data describe …`, `mlp run --config …`.
      for (const [, words] of line.matchAll(/`mlp ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)/g)) {
        const [first, second] = words.split(" ");
        const hasSub = (name: string) => [...known].some((k) => k.startsWith(`${name} `));
        const name = second !== undefined && hasSub(first) ? `${first} ${second}` : first;
        if (known.has(name) || line.includes("not yet available")) continue;
        missing.push(`${doc}:${index + 1}: mlp ${name}`);
      }
    });
  }
  equal(missing.join("\n"), "");
});

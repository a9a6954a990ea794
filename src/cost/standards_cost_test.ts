import { deepEqual, equal, ok } from "node:assert/strict";
import { InputError } from "../errors.ts";
import { parseStandards } from "../config/standards.ts";

const FILE = "configs/project_standards.yaml";
const DEFAULTS = await Deno.readTextFile(
  new URL("../../configs/project_standards.yaml", import.meta.url),
);

function problems(text: string): string[] {
  try {
    parseStandards(text, FILE);
  } catch (error) {
    ok(error instanceof InputError);
    return error.details;
  }
  return [];
}

/** The defaults without the agent sections (the last ones of the file). */
const WITHOUT = DEFAULTS.slice(0, DEFAULTS.indexOf("\n# What an agent's tokens cost"));

Deno.test("the default standards price the current Claude models and set a weekly budget", () => {
  const standards = parseStandards(DEFAULTS, FILE);
  deepEqual(standards.agent_pricing["claude-opus-4-5"], {
    input: 5,
    output: 25,
    cache_read: 0.5,
    cache_write: 6.25,
  });
  deepEqual(standards.agent_pricing["claude-haiku-4-5"], {
    input: 1,
    output: 5,
    cache_read: 0.1,
    cache_write: 1.25,
  });
  deepEqual(standards.agent_budget, { weekly_usd: 100 });
});

Deno.test("standards without agent sections have no prices and no ceiling", () => {
  const standards = parseStandards(WITHOUT, FILE);
  deepEqual(standards.agent_pricing, {});
  equal(standards.agent_budget, undefined);
});

Deno.test("a price or a ceiling must be a non-negative number, every kind priced", () => {
  const text = WITHOUT + "\nagent_pricing:\n  m1: { input: -1, output: 1, cache_read: 0 }\n" +
    "agent_budget:\n  weekly_usd: ten\n";
  const lines = WITHOUT.split("\n").length;
  deepEqual(problems(text), [
    `${FILE}:${lines + 2}:7: field "agent_pricing.m1.cache_write" is missing: write a number`,
    `${FILE}:${lines + 2}:16: field "agent_pricing.m1.input": -1 is below the minimum 0`,
    `${FILE}:${lines + 4}:15: field "agent_budget.weekly_usd": "ten" is not a number`,
  ]);
});

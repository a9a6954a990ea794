import { deepEqual, equal } from "node:assert/strict";
import { parseTranscript, tallyWindow } from "./transcript.ts";

const SESSION = "5f0c7a2e-1b2d-4c3e-9f8a-0a1b2c3d4e5f";
const DIR = new URL("./testdata/claude/projects/-work-acme-churn/", import.meta.url);
const MAIN = await Deno.readTextFile(new URL(`${SESSION}.jsonl`, DIR));
const SUBAGENT = await Deno.readTextFile(new URL(`${SESSION}/subagents/agent-a1.jsonl`, DIR));
const at = (time: string) => Date.parse(`2026-12-01T${time}Z`);

Deno.test("parseTranscript() reads the assistant lines and reports a corrupt line by number", () => {
  const { usages, problems } = parseTranscript(MAIN, "main.jsonl");
  deepEqual(usages.map((u) => [u.id, u.model, u.timestamp]), [
    ["msg_01", "claude-opus-4-5-20251101", at("10:00:05")],
    ["msg_01", "claude-opus-4-5-20251101", at("10:00:06")],
    ["msg_02", "claude-opus-4-5-20251101", at("10:05:00")],
    ["msg_03", "claude-opus-4-5-20251101", at("11:00:00")],
  ]);
  deepEqual(usages[0].tokens, { input: 100, output: 50, cacheRead: 1000, cacheWrite: 200 });
  deepEqual(problems, [{ file: "main.jsonl", line: 4, message: "not a JSON object" }]);
});

Deno.test("parseTranscript() reports an assistant line without usage, and counts absent cache as 0", () => {
  const lines = [
    { type: "assistant", timestamp: "2026-12-01T10:00:00Z", message: { id: "m1", model: "x" } },
    {
      type: "assistant",
      timestamp: "2026-12-01T10:00:00Z",
      message: { id: "m2", model: "x", usage: { input_tokens: 1, output_tokens: 2 } },
    },
    { type: "assistant", timestamp: "yesterday", message: { id: "m3", model: "x", usage: {} } },
    [1, 2],
  ].map((line) => JSON.stringify(line)).join("\n");
  const { usages, problems } = parseTranscript(lines, "t.jsonl");
  deepEqual(usages.map((u) => [u.id, u.tokens]), [
    ["m2", { input: 1, output: 2, cacheRead: 0, cacheWrite: 0 }],
  ]);
  deepEqual(problems, [
    {
      file: "t.jsonl",
      line: 1,
      message:
        'assistant line without a readable "message.usage": Invalid input: expected object, received undefined',
    },
    {
      file: "t.jsonl",
      line: 3,
      message: 'assistant line without a readable "timestamp": not a date',
    },
    { file: "t.jsonl", line: 4, message: "not a JSON object" },
  ]);
});

const ALL = [
  ...parseTranscript(MAIN, "main.jsonl").usages,
  ...parseTranscript(SUBAGENT, "agent-a1.jsonl").usages,
];

Deno.test("tallyWindow() sums exactly, counts a repeated message id once, includes subagents", () => {
  const tally = tallyWindow(ALL, { after: null, until: at("12:00:00") });
  deepEqual(tally.byModel, {
    "claude-opus-4-5-20251101": { input: 117, output: 370, cacheRead: 6000, cacheWrite: 600 },
    "claude-haiku-4-5-20251001": { input: 41, output: 62, cacheRead: 503, cacheWrite: 104 },
  });
  equal(tally.messages, 5);
  equal(tally.firstTimestamp, at("10:00:05"));
});

Deno.test("tallyWindow() counts only the messages after the previous run, up to now", () => {
  const tally = tallyWindow(ALL, { after: at("10:30:00"), until: at("11:15:00") });
  deepEqual(tally.byModel, {
    "claude-opus-4-5-20251101": { input: 7, output: 300, cacheRead: 3000, cacheWrite: 400 },
  });
  equal(tally.messages, 1);
  // A message whose first line was counted before is not counted again by its repeat.
  const repeat = tallyWindow(ALL, { after: at("10:00:05"), until: at("10:00:30") });
  deepEqual(repeat.byModel, {});
  equal(repeat.messages, 0);
});

import { deepEqual } from "node:assert/strict";
import { TextLineStream } from "./text_lines.ts";

Deno.test("TextLineStream splits chunks across line boundaries", async () => {
  const source = ReadableStream.from(["a\nb", "c\r\n", "\nlast"]);
  const lines = await Array.fromAsync(source.pipeThrough(new TextLineStream()));
  deepEqual(lines, ["a", "bc", "", "last"]);
});

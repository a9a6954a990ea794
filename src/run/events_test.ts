import { deepEqual, throws } from "node:assert/strict";
import { parseEvent } from "./events.ts";

Deno.test("parseEvent() reads each supervisor event", () => {
  deepEqual(parseEvent('{"event":"run_created","run_id":"abc","experiment_id":"1"}'), {
    event: "run_created",
    run_id: "abc",
    experiment_id: "1",
  });
  deepEqual(parseEvent('{"event":"finished","status":"FAILED","run_id":"abc","error":"x"}'), {
    event: "finished",
    status: "FAILED",
    run_id: "abc",
    error: "x",
  });
  deepEqual(parseEvent('{"event":"unended","run_id":"abc","message":"m","hint":"h"}'), {
    event: "unended",
    run_id: "abc",
    message: "m",
    hint: "h",
  });
  deepEqual(parseEvent("   "), undefined);
});

Deno.test("parseEvent() rejects unknown events and statuses", () => {
  throws(() => parseEvent('{"event":"finished","status":"RUNNING","run_id":"a"}'), SyntaxError);
  throws(() => parseEvent('{"event":"other"}'), SyntaxError);
  throws(() => parseEvent('{"event":"unended","run_id":"a","message":"m"}'), SyntaxError);
  throws(() => parseEvent("not json"), SyntaxError);
});

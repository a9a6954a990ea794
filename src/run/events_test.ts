import { deepEqual, throws } from "node:assert/strict";
import { parseEvent } from "./events.ts";

Deno.test("parseEvent() reads each supervisor event", () => {
  deepEqual(parseEvent('{"event":"run_created","run_id":"abc","experiment_id":"1"}'), {
    event: "run_created",
    run_id: "abc",
    experiment_id: "1",
  });
  deepEqual(
    parseEvent(
      '{"event":"finished","status":"FAILED","run_id":"abc","metrics":{"f1":null},"error":"x","seal":null,"outcome":null}',
    ),
    {
      event: "finished",
      status: "FAILED",
      run_id: "abc",
      metrics: { f1: null },
      error: "x",
      seal: null,
      outcome: null,
    },
  );
  deepEqual(parseEvent('{"event":"unended","run_id":"abc","message":"m","hint":"h"}'), {
    event: "unended",
    run_id: "abc",
    message: "m",
    hint: "h",
  });
  deepEqual(parseEvent('{"event":"refused","reason":"interrupted","message":"m"}'), {
    event: "refused",
    reason: "interrupted",
    message: "m",
  });
  deepEqual(parseEvent("   "), undefined);
});

Deno.test("parseEvent() rejects unknown events and statuses", () => {
  throws(() => parseEvent('{"event":"finished","status":"RUNNING","run_id":"a"}'), SyntaxError);
  throws(() => parseEvent('{"event":"other"}'), SyntaxError);
  throws(() => parseEvent('{"event":"unended","run_id":"a","message":"m"}'), SyntaxError);
  throws(() => parseEvent("not json"), SyntaxError);
});

Deno.test("parseEvent() says a line off the contract is a bug in mlp, with the line", () => {
  const line = '{"event":"refused","reason":"disk_full","message":"m"}';
  throws(() => parseEvent(line), {
    name: "SyntaxError",
    message: `Cannot parse supervisor event: ${JSON.stringify(line)} (field "reason": Invalid ` +
      'option: expected one of "invalid_plan"|"sandbox_unavailable"|"tracking_unavailable"|' +
      '"store_unusable"|"interrupted"); mlp and its platform Python disagree on the event ' +
      "contract (src/contract/), a bug in mlp",
  });
  throws(() => parseEvent('{"event":"run_created","run_id":"a","experiment_id":"1","url":"u"}'), {
    message: /\(Unrecognized key: "url"\)/,
  });
  throws(() => parseEvent('{"event":"ended","run_id":"a","status":"KILLED","changed":true}'), {
    message: /field "event": Invalid discriminator value/,
  });
  throws(() => parseEvent("{oops"), { message: /^Cannot parse supervisor event: "\{oops" \(/ });
});

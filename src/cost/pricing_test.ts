import { deepEqual, equal } from "node:assert/strict";
import { costUsd, formatUsd, priceKey, priceTally } from "./pricing.ts";

const TABLE = {
  "claude-opus-4-5": { input: 5, output: 25, cache_read: 0.5, cache_write: 6.25 },
  "claude-sonnet-4": { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  "claude-sonnet-4-5": { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  "claude-haiku-4-5": { input: 1, output: 5, cache_read: 0.1, cache_write: 1.25 },
};

Deno.test("priceKey() takes the exact id, else the longest id it extends after a dash", () => {
  equal(priceKey("claude-opus-4-5", TABLE), "claude-opus-4-5");
  equal(priceKey("claude-sonnet-4-5-20250929", TABLE), "claude-sonnet-4-5");
  equal(priceKey("claude-sonnet-4-20250514", TABLE), "claude-sonnet-4");
  equal(priceKey("claude-sonnet-45", TABLE), null);
  equal(priceKey("gpt-5", TABLE), null);
});

Deno.test("costUsd() is each kind of token times its rate per million", () => {
  const tokens = { input: 117, output: 370, cacheRead: 6000, cacheWrite: 600 };
  // 117*5 + 370*25 + 6000*0.5 + 600*6.25 = 585 + 9250 + 3000 + 3750 = 16585 micro-dollars
  equal(costUsd(tokens, TABLE["claude-opus-4-5"]), 0.016585);
  equal(
    costUsd({ input: 1_000_000, output: 0, cacheRead: 0, cacheWrite: 0 }, TABLE["claude-sonnet-4"]),
    3,
  );
});

Deno.test("priceTally() sums the models and names those without a price", () => {
  deepEqual(
    priceTally({
      "claude-opus-4-5-20251101": { input: 117, output: 370, cacheRead: 6000, cacheWrite: 600 },
      // 41 + 310 + 50.3 + 130 = 531.3 micro-dollars, rounded to 531
      "claude-haiku-4-5-20251001": { input: 41, output: 62, cacheRead: 503, cacheWrite: 104 },
    }, TABLE),
    { costUsd: 0.017116, unpriced: [] },
  );
  deepEqual(
    priceTally({ "gpt-5": { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 } }, TABLE),
    { costUsd: 0, unpriced: ["gpt-5"] },
  );
});

Deno.test("formatUsd() writes at most six decimals", () => {
  equal(formatUsd(0.017116), "0.017116");
  equal(formatUsd(2.5), "2.5");
  equal(formatUsd(0.1 + 0.2), "0.3");
  equal(formatUsd(0), "0");
});

import { deepEqual, equal } from "node:assert/strict";
import { bestSoFar, compareText, mean, median, reaches } from "./stats.ts";

Deno.test("mean and median match pandas, none for no values", () => {
  equal(mean([1, 2, 6]), 3);
  equal(median([5, 1, 3]), 3);
  equal(median([4, 1, 3, 2]), 2.5);
  equal(mean([]), null);
  equal(median([]), null);
});

Deno.test("best so far follows the direction and keeps it over missing values", () => {
  deepEqual(bestSoFar([0.7, 0.65, null, 0.72, 0.71], "higher"), [0.7, 0.7, 0.7, 0.72, 0.72]);
  deepEqual(bestSoFar([null, 0.5, 0.4, 0.45], "lower"), [null, 0.5, 0.4, 0.4]);
});

Deno.test("a target is reached at equality, from above for lower-is-better", () => {
  equal(reaches(0.8, 0.8, "higher"), true);
  equal(reaches(0.79, 0.8, "higher"), false);
  equal(reaches(0.3, 0.3, "lower"), true);
  equal(reaches(0.31, 0.3, "lower"), false);
});

Deno.test("text is ordered by code point, as pandas orders it", () => {
  deepEqual(["p_1", "p1", "P2"].sort(compareText), ["P2", "p1", "p_1"]);
});

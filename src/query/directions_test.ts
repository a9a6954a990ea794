import { deepEqual } from "node:assert/strict";
import { DEFAULT_DIRECTIONS, readDirections } from "./directions.ts";

const STANDARDS = await Deno.readTextFile(
  new URL("../../configs/project_standards.yaml", import.meta.url),
);

Deno.test("readDirections() takes the standards' metric_directions, else the defaults", async () => {
  deepEqual(await readDirections(null), DEFAULT_DIRECTIONS);
  deepEqual(await readDirections(STANDARDS), DEFAULT_DIRECTIONS);
  const flipped = STANDARDS.replace(/^ {2}recall: higher$/m, "  recall: lower");
  deepEqual(await readDirections(flipped), { ...DEFAULT_DIRECTIONS, recall: "lower" });
  // A file from before metric_directions does not load: the defaults apply.
  const old = STANDARDS.replace(/^metric_directions:\n(?: {2}.*\n)+/m, "");
  deepEqual(await readDirections(old), DEFAULT_DIRECTIONS);
});

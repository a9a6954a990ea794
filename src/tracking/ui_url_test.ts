import { equal } from "node:assert/strict";
import { runsTableUrl, runUrl } from "./ui_url.ts";

Deno.test("runsTableUrl() opens the experiment's runs table in the classic ML view", () => {
  equal(
    runsTableUrl("http://127.0.0.1:5000/", "1"),
    "http://127.0.0.1:5000/#/experiments/1/runs?workflowType=machine_learning",
  );
});

Deno.test("runUrl() opens one run's page in the classic ML view", () => {
  equal(
    runUrl("http://127.0.0.1:5000", "3", "ab12"),
    "http://127.0.0.1:5000/#/experiments/3/runs/ab12?workflowType=machine_learning",
  );
});

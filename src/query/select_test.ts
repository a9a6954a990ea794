import { deepEqual } from "node:assert/strict";
import { describeLeftOut, eligible, filterFields, inScope } from "./select.ts";
import { queryRun } from "./testing.ts";

Deno.test("only active, FINISHED, sealed runs that reproduce none count; the others are counted by reason", () => {
  const runs = [
    queryRun(0),
    queryRun(1, { status: "FAILED" }),
    queryRun(2, { sealed: false }),
    queryRun(3, { lifecycleStage: "deleted" }),
    queryRun(4, { status: "RUNNING", sealed: false }),
    queryRun(5, { reproduction: true }),
  ];
  const { runs: kept, leftOut } = eligible(runs);
  deepEqual(kept.map((r) => r.change), ["change 0"]);
  deepEqual(leftOut, {
    "deleted (in the trash)": 1,
    "not FINISHED": 2,
    "no mlp.seal tag (not recorded by mlp run)": 1,
    "remade by mlp reproduce (a reproduction of another run)": 1,
  });
  deepEqual(
    describeLeftOut(1, leftOut),
    "mlp query: 1 run counted; left out: 1 deleted (in the trash), 2 not FINISHED, " +
      "1 no mlp.seal tag (not recorded by mlp run), " +
      "1 remade by mlp reproduce (a reproduction of another run)",
  );
});

Deno.test("filters: since, clients, projects and use case", () => {
  const runs = [
    queryRun(0),
    queryRun(5, { client: "beta", project: "churn", useCase: "churn" }),
    queryRun(9, { project: "other" }),
  ];
  const since = Date.UTC(2026, 0, 1, 0, 5);
  deepEqual(inScope(runs, { sinceMs: since }).map((r) => r.change), ["change 5", "change 9"]);
  deepEqual(inScope(runs, { clients: ["acme"] }).map((r) => r.change), ["change 0", "change 9"]);
  deepEqual(inScope(runs, { projects: ["churn"] }).map((r) => r.change), ["change 5"]);
  deepEqual(inScope(runs, { useCase: "credit_risk" }).length, 2);
});

Deno.test("filterFields names the fields each filter tests", () => {
  deepEqual(filterFields({}), []);
  deepEqual(filterFields({ sinceMs: 0, clients: [], projects: [] }), []);
  deepEqual(filterFields({ clients: ["acme"], projects: ["credit"], useCase: "churn" }), [
    "client",
    "project",
    "useCase",
  ]);
});

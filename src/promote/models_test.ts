import { equal } from "node:assert/strict";
import { formatModels } from "./models.ts";

Deno.test("the listing marks the champion and the revoked versions", () => {
  const text = formatModels({
    event: "model_versions",
    name: "acme.credit",
    champion: "1",
    versions: [
      {
        version: "1",
        run_id: "a".repeat(32),
        created_ms: Date.UTC(2026, 11, 7, 10, 0, 0),
        intended_use: "underwriting",
        promoted_by: "ana",
        revoked: false,
      },
      {
        version: "2",
        run_id: "b".repeat(32),
        created_ms: Date.UTC(2026, 11, 8, 9, 30, 0),
        intended_use: "underwriting",
        promoted_by: "bo",
        revoked: true,
      },
    ],
  });
  equal(
    text,
    [
      "acme.credit",
      "version  alias     run                               registered (UTC)     promoted by  intended use",
      `v1       champion  ${"a".repeat(32)}  2026-12-07 10:00:00  ana          underwriting`,
      `v2       revoked   ${"b".repeat(32)}  2026-12-08 09:30:00  bo           underwriting`,
    ].join("\n"),
  );
});

Deno.test("no version yet says how to make one", () => {
  equal(
    formatModels({ event: "model_versions", name: "acme.credit", champion: null, versions: [] }),
    'acme.credit: no registered version yet (`mlp promote RUN_ID --intended-use "…"`)',
  );
});

import { equal, match } from "node:assert/strict";
import { DOMParser, type Element } from "@xmldom/xmldom";
import { history } from "./questions.ts";
import { plotSpec } from "./plot_spec.ts";
import { renderSvg, svgToPng } from "./render.ts";
import { queryRun } from "./testing.ts";

const result = history(
  [0.7, 0.72, 0.71, 0.75, 0.74].map((v, i) =>
    queryRun(i, {
      metrics: { roc_auc: v },
      category: i % 2 ? "regularization" : "feature_addition",
    })
  ),
  () => "higher",
);

Deno.test("history plot: an SVG with a point per run, the best-so-far line and labels", async () => {
  const svg = await renderSvg(plotSpec(result, "mlp query history"));
  match(svg, /^<svg /);
  // The SVG is well-formed XML: any parse error or warning fails the test.
  const doc = new DOMParser({
    onError: (level, message) => {
      throw new Error(`SVG ${level}: ${message}`);
    },
  }).parseFromString(svg, "image/svg+xml");
  const marks = (kind: string, tag: string) =>
    [...doc.getElementsByTagName("g")]
      .filter((g) => {
        // The chart's own marks, not the legend's symbols.
        const classes = (g.getAttribute("class") ?? "").split(" ");
        return classes.includes(`mark-${kind}`) && classes.includes("role-mark");
      })
      .flatMap((g) => [...(g as Element).getElementsByTagName(tag)]);
  equal(marks("symbol", "path").length, 5);
  equal(marks("line", "path").length, 1);
  const labels = marks("text", "text").map((t) => t.textContent);
  equal(labels.join(","), "change 0,change 1,change 2,change 3,change 4");
  match(svg, /mlp query history: roc_auc/);
});

Deno.test("a PNG starts with the PNG signature", async () => {
  const png = await svgToPng(await renderSvg(plotSpec(result, "t")));
  equal([...png.slice(0, 8)].join(","), "137,80,78,71,13,10,26,10");
});

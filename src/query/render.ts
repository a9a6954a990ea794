/**
 * Draws a Vega-Lite chart headless: compiled to Vega, rendered to SVG by vega's `View.toSVG()`,
 * and for a `.png` rasterized by resvg compiled to WebAssembly (no native addon, which Deno
 * could not load under `--cached-only`). The packages are imported here, lazily, so only
 * `--plot` pays for loading them.
 *
 * @module
 */
import { extname } from "node:path";
import { InputError } from "../errors.ts";
import type { VegaLiteSpec } from "./plot_spec.ts";

/** Fonts resvg may use for the PNG's text (the SVG names its fonts; a viewer supplies them). */
const FONT_FILES = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/TTF/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans.ttf",
  "/System/Library/Fonts/Supplemental/Arial.ttf",
];

/** The SVG of the Vega-Lite spec `spec` (`mlp query`'s and `mlp cost`'s plots). */
export async function renderSvg(spec: VegaLiteSpec | object): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  // deno-lint-ignore no-explicit-any
  const compiled = vegaLite.compile(spec as any).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

let wasmReady: Promise<void> | undefined;

/** The PNG of `svg`, at twice its size for sharp text. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const resvg = await import("@resvg/resvg-wasm");
  wasmReady ??= (async () => {
    const url = new URL(import.meta.resolve("@resvg/resvg-wasm/index_bg.wasm"));
    await resvg.initWasm(await Deno.readFile(url));
  })();
  await wasmReady;
  const fontBuffers: Uint8Array[] = [];
  for (const file of FONT_FILES) {
    try {
      fontBuffers.push(await Deno.readFile(file));
      break;
    } catch {
      // Not on this system; without any font the PNG has no text, the SVG still has it.
    }
  }
  const image = new resvg.Resvg(svg, {
    fitTo: { mode: "zoom", value: 2 },
    font: { fontBuffers, loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
  });
  return image.render().asPng();
}

/**
 * The extension of a `--plot` file, checked before any query runs.
 *
 * @throws {InputError} unless it is `.svg` or `.png`.
 */
export function checkPlotFile(file: string): ".svg" | ".png" {
  const ext = extname(file).toLowerCase();
  if (ext !== ".svg" && ext !== ".png") {
    throw new InputError(`--plot "${file}" must end in .svg or .png`, {
      hint: "name the file e.g. history.svg (vector) or history.png (image)",
    });
  }
  return ext;
}

/**
 * Writes the chart of `spec` to `file`: `.svg` or `.png`.
 *
 * @throws {InputError} for any other extension.
 */
export async function writePlot(spec: VegaLiteSpec, file: string): Promise<void> {
  const ext = checkPlotFile(file);
  const svg = await renderSvg(spec);
  if (ext === ".svg") await Deno.writeTextFile(file, svg);
  else await Deno.writeFile(file, await svgToPng(svg));
}

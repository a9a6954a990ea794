/**
 * Writes the contract files the platform Python reads (`src/python/mlp_platform/*.schema.json`,
 * `lists.json`) from the zod schemas and lists in `src/contract/`.
 *
 * Run `deno run -A scripts/contract.ts` after changing `src/contract/`, and commit the result;
 * `--check` writes nothing and exits 1 when a file is out of date (`make check` and `make test`
 * run it).
 *
 * @module
 */
import { join } from "node:path";
import { CONTRACT_DIR, renderContractFiles } from "../src/contract/render.ts";

/** The contract files of the checkout at `root` that are missing or differ from what is rendered. */
export async function staleContractFiles(root: string): Promise<string[]> {
  const stale: string[] = [];
  for (const [name, text] of Object.entries(renderContractFiles())) {
    const current = await Deno.readTextFile(join(root, CONTRACT_DIR, name)).catch(() => undefined);
    if (current !== text) stale.push(name);
  }
  return stale;
}

async function main(args: string[]): Promise<number> {
  const root = new URL("..", import.meta.url).pathname;
  const stale = await staleContractFiles(root);
  if (args.includes("--check")) {
    if (stale.length === 0) return 0;
    console.error(
      `${CONTRACT_DIR} is out of date with src/contract/: ${
        stale.join(", ")
      }; run \`deno run -A scripts/contract.ts\``,
    );
    return 1;
  }
  const files = renderContractFiles();
  for (const name of stale) {
    await Deno.writeTextFile(join(root, CONTRACT_DIR, name), files[name]);
    console.log(`wrote ${CONTRACT_DIR}/${name}`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

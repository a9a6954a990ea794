/**
 * Prints the `mlp_build` of this checkout (docs/architecture.md "mlp build"), the value a run made
 * with it records; with a file argument, writes it there instead, which is how `make build` gives
 * the compiled binary its build.
 *
 *   deno run --allow-read scripts/mlp_build.ts
 *   deno run --allow-read --allow-write=dist scripts/mlp_build.ts dist/mlp_build
 *
 * @module
 */
import { MLP_SOURCE_DIR, mlpBuildOf } from "../src/fingerprint/mlp_build.ts";

if (import.meta.main) {
  const build = await mlpBuildOf(MLP_SOURCE_DIR);
  if (Deno.args.length > 0) await Deno.writeTextFile(Deno.args[0], `${build}\n`);
  else console.log(build);
}

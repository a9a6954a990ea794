/**
 * The real schema probe: reads a dataset's table files with the project's own pandas (in its
 * locked uv environment) and returns the bytes of `schema.json`. Python does this because the
 * dtypes recorded must be the ones the trainer's pandas will see.
 *
 * @module
 */
import { CheckError } from "../errors.ts";
import { projectPaths } from "../project/paths.ts";
import { materializePlatform } from "../run/platform.ts";

/**
 * Returns a probe for `addDataset` that runs
 * `uv run --locked --project <root> python -m mlp_platform.schema_probe FILE…` with the platform
 * package on PYTHONPATH. The environment is inherited, so `UV_PYTHON_DOWNLOADS=never` and the
 * like keep applying.
 *
 * @throws {CheckError} (from the returned function) when uv cannot be started or the probe fails,
 *   with the probe's stderr.
 */
export function pythonSchemaProbe(root: string): (tables: string[]) => Promise<Uint8Array> {
  return async (tables) => {
    const platform = await materializePlatform(projectPaths(root).state);
    const command = new Deno.Command("uv", {
      args: [
        "run",
        "--locked",
        "--project",
        root,
        "python",
        "-m",
        "mlp_platform.schema_probe",
        ...tables,
      ],
      cwd: root,
      env: { PYTHONPATH: platform },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
    let output: Deno.CommandOutput;
    try {
      output = await command.output();
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      throw new CheckError("Cannot read the dataset's schema: `uv` is not on PATH", {
        hint: "install uv (https://docs.astral.sh/uv/) and run `uv sync` in the project",
      });
    }
    if (!output.success) {
      const stderr = new TextDecoder().decode(output.stderr).trim();
      throw new CheckError(
        `Cannot read the dataset's schema: the schema probe exited with code ${output.code}`,
        {
          details: stderr === "" ? [] : stderr.split("\n"),
          hint: "check that every table file is a readable .parquet or .csv file and that " +
            "`uv sync --locked` succeeds in the project",
        },
      );
    }
    return output.stdout;
  };
}

/**
 * Reading a config file from disk with an error that names it and says how to create it.
 *
 * @module
 */
import { InputError } from "../errors.ts";

/**
 * Reads the text of the config file at `path`.
 *
 * @param path Where to read from.
 * @param file The path to name in messages (project-relative where possible).
 * @param hint How to create the file when it does not exist.
 * @throws {InputError} when the file does not exist or cannot be read.
 */
export async function readConfigText(path: string, file: string, hint: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error: unknown) {
    if (error instanceof Deno.errors.NotFound) {
      throw new InputError(`Config file "${file}" does not exist`, { hint });
    }
    if (error instanceof Deno.errors.IsADirectory) {
      throw new InputError(`Config file "${file}" is a directory, not a file`, { hint });
    }
    throw new InputError(`Cannot read config file "${file}": ${(error as Error).message}`, {
      cause: error,
      hint: "check that the file is readable by you (`ls -l` it); configs live in configs/",
    });
  }
}

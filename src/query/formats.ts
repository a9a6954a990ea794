/**
 * The output formats of `mlp query --format`, apart from the formatter so that the command's
 * help does not load the table and CSV packages.
 *
 * @module
 */

/** The output formats of `--format`. */
export const FORMATS = ["table", "json", "csv", "markdown"] as const;

/**
 * The two kinds of failure mlp reports to its users, and nothing else.
 *
 * Every capability throws one of these for a condition the user (a person or an agent) can fix;
 * `src/main.ts` is the one place that turns them into a message and an exit code. Any other
 * exception is a bug in mlp and exits with code 70 and its stack.
 *
 * @module
 */

/** Where in a file a problem is: 1-based line and column, both optional. */
export interface Location {
  /** Path of the file, as the user would type it (relative to the project root where possible). */
  file: string;
  /** 1-based line number. */
  line?: number;
  /** 1-based column number. */
  column?: number;
  /** Dotted path of the field inside the document, e.g. `hyperparameters.max_depth`. */
  field?: string;
}

/** Options shared by the mlp error classes. */
export interface MlpErrorOptions {
  /** Where the problem is. */
  location?: Location;
  /** How to proceed: printed after the message on its own line. */
  hint?: string;
  /** Further problems of the same kind, reported together (e.g. every invalid field). */
  details?: string[];
  /** The underlying error. */
  cause?: unknown;
}

/** Base class: a condition that mlp reports to the user without a stack trace. */
export class MlpError extends Error {
  /** The process exit code this error maps to. */
  readonly exitCode: number;
  /** Where the problem is, if it is in a file. */
  readonly location?: Location;
  /** How to proceed. */
  readonly hint?: string;
  /** Further problems of the same kind. */
  readonly details: string[];

  constructor(message: string, exitCode: number, options: MlpErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.exitCode = exitCode;
    this.location = options.location;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }
}

/** Invalid input: arguments or configuration files (exit code 2). */
export class InputError extends MlpError {
  constructor(message: string, options: MlpErrorOptions = {}) {
    super(message, 2, options);
    this.name = "InputError";
  }
}

/** A governance check refused, or a run failed (exit code 1). */
export class CheckError extends MlpError {
  constructor(message: string, options: MlpErrorOptions = {}) {
    super(message, 1, options);
    this.name = "CheckError";
  }
}

/** The user interrupted a command (one of the contract's INTERRUPT_SIGNALS); what it had begun was undone (exit 130). */
export class InterruptedError extends MlpError {
  constructor(message: string, options: MlpErrorOptions = {}) {
    super(message, 130, options);
    this.name = "InterruptedError";
  }
}

/**
 * Formats a location as `file:line:column (field)`, the prefix every message about a file carries.
 *
 * @example Usage
 * ```ts
 * import { formatLocation } from "./errors.ts";
 * formatLocation({ file: "configs/experiment.yaml", line: 3, column: 1, field: "model_type" });
 * // => "configs/experiment.yaml:3:1 (model_type)"
 * ```
 */
export function formatLocation(location: Location): string {
  let text = location.file;
  if (location.line !== undefined) text += `:${location.line}`;
  if (location.line !== undefined && location.column !== undefined) text += `:${location.column}`;
  if (location.field) text += ` (${location.field})`;
  return text;
}

/** Renders an mlp error the way every command prints it on stderr. */
export function formatError(error: MlpError): string {
  const head = error.location ? `${formatLocation(error.location)}: ` : "";
  const lines = [`error: ${head}${error.message}`];
  for (const detail of error.details) lines.push(`  - ${detail}`);
  if (error.hint) lines.push(`hint: ${error.hint}`);
  return lines.join("\n");
}

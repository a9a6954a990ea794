/**
 * Which files the training guard reads as Python. A file is Python when its name says so (`.py`,
 * `.pyw`, `.ipynb`), or when it can run as a program and its first line is a Python shebang
 * (`#!/usr/bin/env python3`, `#!/usr/bin/env -S uv run --script`): git then tracks it as
 * executable, and its name can be anything. Python's `import` reads source only from `.py`
 * files; compiled `.pyc`/`.pyo` files it also imports are refused, since the guard cannot read
 * them, and code loaded from any other file goes through `exec` or a loader the guard refuses
 * (see training_guard.ts). Pure.
 *
 * @module
 */

/** Folders whose files may train or use MLflow (plan §6.4: `tests/`, `scripts/`). */
const EXCLUDED_FOLDERS = ["tests/", "scripts/"];

/** Whether the file at this project-relative path lies where training is allowed (plan §6.4). */
export function isExcludedPath(path: string): boolean {
  const normalized = path.replace(/^(\.\/)+/, "");
  return EXCLUDED_FOLDERS.some((folder) => normalized.startsWith(folder));
}

/** Whether a file name says Python: `.py`, `.pyw` (what Windows runs without a console), `.ipynb`. */
export function isPythonName(path: string): boolean {
  return /\.(py|pyw|ipynb)$/.test(path);
}

/** Whether a file name is compiled Python, which `import` loads but nobody can read. */
export function isBytecodeName(path: string): boolean {
  return /\.py[co]$/.test(path);
}

/**
 * Whether the training guard scans the file at this project-relative path by its name: every
 * `.py` and `.pyw` file and Jupyter notebook except those under `tests/` and `scripts/` (plan
 * §6.4; `*.md` files are not Python and `run_experiment.py` is mlp itself, so in a client project
 * nothing else is excluded). Executable files are Python by their content: `hasPythonShebang`.
 */
export function isGuardedPath(path: string): boolean {
  return isPythonName(path) && !isExcludedPath(path);
}

const SHEBANG = /^#![^\r\n]*?(?:\b(?:i?python|pypy)[0-9.]*\b|\buvx?\b|\bpipx\b)/;
const SHEBANG_BYTES = 256;

/**
 * Whether `head` (a file's first bytes) starts with a shebang that runs Python: `python`,
 * `python3.11`, `ipython`, `pypy3`, or through uv or pipx (`uv run --script`).
 *
 * @example Usage
 * ```ts
 * import { hasPythonShebang } from "./python_files.ts";
 * hasPythonShebang(new TextEncoder().encode("#!/usr/bin/env python3\n")); // => true
 * ```
 */
export function hasPythonShebang(head: Uint8Array): boolean {
  if (head[0] !== 0x23 || head[1] !== 0x21) return false;
  return SHEBANG.test(new TextDecoder().decode(head.subarray(0, SHEBANG_BYTES)));
}

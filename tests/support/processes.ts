/**
 * The processes of a test project, found through /proc: mlp (Deno), uv, the supervisor, the
 * trainer and the feature stage it forks all run with their working directory inside the project.
 * Lets a test kill one of them as a user or the kernel would, and check that none is left behind.
 *
 * @module
 */

/** One process: its PID, command line and name (`/proc/<pid>/comm`). */
export interface ProcessInfo {
  pid: number;
  cmdline: string;
  name: string;
}

/** The role of a process of `mlp run`, by its command line and name. */
export type Role = "mlp" | "uv" | "supervisor" | "trainer" | "stage" | "other";

/**
 * The name the trainer gives the feature stage it forks (mlp_platform/feature_stage.py): the
 * stage's command line is the trainer's, its name is not.
 */
export const STAGE_NAME = "mlp-features";

/** What a process is, from its command line and name. */
export function roleOf(process: ProcessInfo): Role {
  if (/(^|\/)uv run /.test(process.cmdline)) return "uv";
  if (process.cmdline.includes("mlp_platform.supervisor")) return "supervisor";
  if (process.cmdline.includes("mlp_platform.trainer")) {
    return process.name === STAGE_NAME ? "stage" : "trainer";
  }
  if (process.cmdline.includes("src/main.ts")) return "mlp";
  return "other";
}

/** Every live process whose working directory is `root` or lies below it. */
export function processesIn(root: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cwd = Deno.readLinkSync(`/proc/${entry.name}/cwd`);
      if (cwd !== root && !cwd.startsWith(`${root}/`)) continue;
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue; // exited, not reaped
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).split("\0").join(" ");
      const name = Deno.readTextFileSync(`/proc/${entry.name}/comm`).trim();
      found.push({ pid: Number(entry.name), cmdline: cmdline.trim(), name });
    } catch {
      // The process exited while we looked.
    }
  }
  return found;
}

/** The one process of `role` in the project. */
export function processOf(root: string, role: Role): ProcessInfo {
  const matches = processesIn(root).filter((p) => roleOf(p) === role);
  if (matches.length !== 1) {
    throw new Error(`expected one ${role} process in ${root}, found ${JSON.stringify(matches)}`);
  }
  return matches[0];
}

/**
 * Waits until `condition` holds, checking every 200 ms. `limitMs` only keeps a broken build from
 * hanging the suite (a liveness bound, not a measurement): the failure names what never happened.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  limitMs = 180_000,
): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

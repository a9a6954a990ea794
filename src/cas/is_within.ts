/**
 * Path containment, for refusing inputs and dataset directories that are, contain, or resolve
 * into places they must not.
 *
 * @module
 */
import { isAbsolute, relative, sep } from "node:path";

/** True when `path` is `parent` or inside it (both absolute). */
export function isWithin(path: string, parent: string): boolean {
  const rel = relative(parent, path);
  return rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

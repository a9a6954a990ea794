/**
 * Byte order for paths: the order of their UTF-8 bytes, which is what `LC_ALL=C sort` and every
 * other tool outside JavaScript means by "sorted". JavaScript's default string comparison orders
 * UTF-16 code units, which differs for characters above U+FFFF.
 *
 * @module
 */

/**
 * Compares two strings by their UTF-8 bytes (equivalently, by Unicode code points); a comparator
 * for `Array.prototype.sort`.
 *
 * @example Usage
 * ```ts
 * import { compareBytewise } from "./bytewise.ts";
 * ["b", "B", "a/b", "a.b"].sort(compareBytewise); // => ["B", "a.b", "a/b", "b"]
 * ```
 */
export function compareBytewise(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  while (true) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const difference = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
}

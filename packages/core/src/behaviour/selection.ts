import { SelectionError } from './errors.js';
import { globToRegExp } from './glob.js';

/**
 * 0-based indices, ascending and without repeats, for a list of 1-based positions as
 * shown to the user: `3-17,20`, `5-` (5 to the end), whitespace allowed around parts.
 */
export function parseRanges(spec: string, count: number): number[] {
  const parts = spec.split(',').map((p) => p.trim());
  if (spec.trim() === '') throw new SelectionError(spec, 'no positions given; write e.g. "3-17,20"');
  const chosen = new Set<number>();
  for (const part of parts) {
    const match = /^(\d+)\s*(?:(-)\s*(\d*))?$/.exec(part);
    if (!match) {
      throw new SelectionError(spec, part === '' ? 'empty part between commas' : `"${part}" is not a position or a range like 3-17`);
    }
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : match[3] === '' ? count : Number(match[3]);
    if (first < 1) throw new SelectionError(spec, 'positions start at 1');
    if (last < first) throw new SelectionError(spec, `range ${part} runs backwards`);
    if (last > count || first > count) {
      throw new SelectionError(spec, `position ${Math.max(first, last)} is past the end: ${count} item${count === 1 ? '' : 's'} listed`);
    }
    for (let i = first; i <= last; i++) chosen.add(i - 1);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** The items at the given 1-based positions of `items` in the order shown. */
export function selectByRanges<T>(items: readonly T[], spec: string): T[] {
  return parseRanges(spec, items.length).map((i) => items[i] as T);
}

/** The items whose path matches the glob (see globToRegExp), in the order given. */
export function selectByGlob<T extends { readonly path: string }>(items: readonly T[], glob: string): T[] {
  const re = globToRegExp(glob);
  return items.filter((item) => re.test(item.path));
}

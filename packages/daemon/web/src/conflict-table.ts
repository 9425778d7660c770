import type { ConflictItem } from './types.js';

/** Sorting and range selection for the conflicts table (pure, so the tests can drive them). */

export type SortKey = 'path' | 'size' | 'time' | 'peer' | 'folder';
export type SortDirection = 'ascending' | 'descending';

export const conflictKey = (c: Pick<ConflictItem, 'folder' | 'copy'>): string => `${c.folder}\u0000${c.copy}`;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compareBy(key: SortKey, a: ConflictItem, b: ConflictItem): number {
  switch (key) {
    case 'path':
      return collator.compare(a.path, b.path);
    case 'size':
      return a.size - b.size;
    case 'time':
      return a.mtimeMs - b.mtimeMs;
    case 'peer':
      return collator.compare(a.peer, b.peer);
    case 'folder':
      return collator.compare(a.folder, b.folder);
  }
}

/** A stable sort by key, ties broken by folder then copy path. */
export function sortConflicts(items: readonly ConflictItem[], key: SortKey, direction: SortDirection): ConflictItem[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return [...items].sort((a, b) => sign * compareBy(key, a, b) || collator.compare(a.folder, b.folder) || collator.compare(a.copy, b.copy));
}

/** Clicking a header: the same key flips the direction; a new key starts ascending (time: newest first). */
export function nextSort(current: { key: SortKey; direction: SortDirection }, key: SortKey): { key: SortKey; direction: SortDirection } {
  if (current.key === key) return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  return { key, direction: key === 'time' ? 'descending' : 'ascending' };
}

/**
 * A click on row `target` with the new checked state: with shift and an anchor, every row
 * from the anchor to the target (in the displayed order) takes that state.
 */
export function applySelection(selected: ReadonlySet<string>, order: readonly string[], target: string, checked: boolean, anchor: string | undefined, shift: boolean): Set<string> {
  const next = new Set(selected);
  const from = shift && anchor !== undefined ? order.indexOf(anchor) : -1;
  const to = order.indexOf(target);
  const [lo, hi] = from < 0 || to < 0 ? [to, to] : [Math.min(from, to), Math.max(from, to)];
  for (let i = lo; i <= hi && i >= 0; i++) {
    const key = order[i]!;
    if (checked) next.add(key);
    else next.delete(key);
  }
  return next;
}

/** Keeps only the selected keys that are still listed. */
export function pruneSelection(selected: ReadonlySet<string>, order: readonly string[]): Set<string> {
  const listed = new Set(order);
  return new Set([...selected].filter((k) => listed.has(k)));
}

import { setFlagsFromString } from 'node:v8';

/** From this many entries scanned, a sync makes V8 favour a small heap (below it, the extra collections cost more than they save). */
export const BIG_TREE_ENTRIES = 20_000;

let favoured = false;

/**
 * Once `entries` reaches BIG_TREE_ENTRIES, makes V8 keep the heap small for the rest of this
 * process: the young generation stops growing and full collections come sooner. A sync of a
 * big tree makes a lot of short-lived garbage (every record read, hashed, sent and written):
 * with V8's default growth the heap held 70–80 MB, ~10 MB of it live, at 100,000 files.
 * Node takes heap-size flags only on its command line, which `syncline` cannot choose; these
 * two are read while running.
 */
export function favourSmallHeapFrom(entries: number): void {
  if (favoured || entries < BIG_TREE_ENTRIES) return;
  favoured = true;
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--heap-growing-percent=10');
}

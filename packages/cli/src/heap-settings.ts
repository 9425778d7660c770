import { setFlagsFromString } from 'node:v8';

/*
 * V8 heap settings chosen by the command itself. Node takes heap-size flags only on its command
 * line, which a user or npm's bin shim chooses; the flags below are read while running (checked by
 * test/heap-settings.test.ts: V8 prints "unrecognized flag" for one it does not know).
 */

/**
 * `syncline daemon`, set before its modules load. Measured with `npm run bench -- p2p --only small`
 * (two daemons, 10,000 files), peak RSS per daemon, source / destination:
 *
 * - `--semi-space-growth-factor=1`: the young generation stops growing at its size when the
 *   daemon starts (4 MiB semi-spaces, 8 MiB in all) instead of V8's 16 MiB semi-spaces (32 MiB,
 *   all of it touched): idle daemon 97 → 89 MB; alone it saves little at peak (≈ 10 MB).
 * - `--heap-growing-percent=50`: a full GC once the old generation has grown by half since the
 *   last one, instead of V8's up to 4× on a small heap. The daemon's peak is mostly garbage
 *   waiting for that GC: dead chunk buffers (external memory, freed only by a GC) and promoted
 *   records. Both together: 172–179 / 150–155 MB against 194–219 / 189–196 MB by default
 *   (4 runs each, interleaved), for about +0.4 s CPU on the source daemon (more full GCs).
 */
export const DAEMON_V8_FLAGS = ['--semi-space-growth-factor=1', '--heap-growing-percent=50'] as const;

/**
 * `syncline sync` of a big tree makes a lot of short-lived garbage (every record read, hashed,
 * sent and written): with V8's default growth the heap held 70–80 MB, ~10 MB of it live, at
 * 100,000 files. These flags keep it small, at ~10 % more CPU, so small trees do without.
 */
export const BIG_SYNC_V8_FLAGS = ['--semi-space-growth-factor=1', '--heap-growing-percent=10'] as const;

/** From this many entries scanned, a sync applies BIG_SYNC_V8_FLAGS. */
export const BIG_TREE_ENTRIES = 20_000;

export function applyV8Flags(flags: readonly string[]): void {
  for (const flag of flags) setFlagsFromString(flag);
}

export function applyDaemonHeapSettings(): void {
  applyV8Flags(DAEMON_V8_FLAGS);
}

let favoured = false;

/** Once `entries` reaches BIG_TREE_ENTRIES, applies BIG_SYNC_V8_FLAGS for the rest of this process. */
export function favourSmallHeapFrom(entries: number): void {
  if (favoured || entries < BIG_TREE_ENTRIES) return;
  favoured = true;
  applyV8Flags(BIG_SYNC_V8_FLAGS);
}

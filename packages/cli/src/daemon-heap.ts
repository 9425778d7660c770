import { setFlagsFromString } from 'node:v8';

/**
 * V8 heap settings of the long-running `syncline daemon` process, set when its command starts
 * (before the daemon's modules load; they cannot be given on the node command line, which a
 * user or npm's bin shim chooses). Measured with `npm run bench -- p2p --only small` (two
 * daemons, 10,000 files), peak RSS per daemon, source / destination:
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

export function applyDaemonHeapSettings(): void {
  for (const flag of DAEMON_V8_FLAGS) setFlagsFromString(flag);
}

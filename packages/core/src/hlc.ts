/**
 * Hybrid logical clock: wall-clock milliseconds plus a logical counter, so that
 * timestamps order causally even when clocks are skewed. The wall time is always
 * passed in; this module reads no clock.
 */
export interface Hlc {
  readonly t: number;
  readonly c: number;
}

export const HLC_ZERO: Hlc = { t: 0, c: 0 };

/** Timestamp for a local event. */
export function hlcTick(prev: Hlc, nowMs: number): Hlc {
  if (nowMs > prev.t) return { t: nowMs, c: 0 };
  return { t: prev.t, c: prev.c + 1 };
}

/** Clock state after seeing a remote timestamp. */
export function hlcReceive(prev: Hlc, remote: Hlc, nowMs: number): Hlc {
  const t = Math.max(prev.t, remote.t, nowMs);
  if (t === prev.t && t === remote.t) return { t, c: Math.max(prev.c, remote.c) + 1 };
  if (t === prev.t) return { t, c: prev.c + 1 };
  if (t === remote.t) return { t, c: remote.c + 1 };
  return { t, c: 0 };
}

export function compareHlc(a: Hlc, b: Hlc): number {
  return a.t - b.t || a.c - b.c;
}

export function isHlc(v: unknown): v is Hlc {
  if (typeof v !== 'object' || v === null) return false;
  const { t, c } = v as Record<string, unknown>;
  return Number.isSafeInteger(t) && Number.isSafeInteger(c) && (t as number) >= 0 && (c as number) >= 0;
}

/**
 * Version vectors (seed 004): replica ID → counter.
 * X < Y iff X ≠ Y and every ID of X is in Y with an equal or higher counter.
 */
export type VersionVector = Readonly<Record<string, number>>;

export type Ordering = 'equal' | 'before' | 'after' | 'concurrent';

/** Compares a with b: 'before' means a < b (b supersedes a). */
export function compareVectors(a: VersionVector, b: VersionVector): Ordering {
  let aBigger = false;
  let bBigger = false;
  for (const id of Object.keys(a)) {
    const x = a[id] ?? 0;
    const y = b[id] ?? 0;
    if (x > y) aBigger = true;
    else if (x < y) bBigger = true;
  }
  for (const id of Object.keys(b)) {
    if (!(id in a) && (b[id] ?? 0) > 0) bBigger = true;
  }
  if (aBigger && bBigger) return 'concurrent';
  if (aBigger) return 'after';
  if (bBigger) return 'before';
  return 'equal';
}

/** X < Y in the seed's sense. */
export function vectorLess(a: VersionVector, b: VersionVector): boolean {
  return compareVectors(a, b) === 'before';
}

export function vectorsEqual(a: VersionVector, b: VersionVector): boolean {
  return compareVectors(a, b) === 'equal';
}

/** X ⊔ Y: every ID of both, with the higher counter. */
export function joinVectors(a: VersionVector, b: VersionVector): VersionVector {
  const out: Record<string, number> = { ...a };
  for (const [id, n] of Object.entries(b)) {
    out[id] = Math.max(out[id] ?? 0, n);
  }
  return sortVector(out);
}

/** The vector with `id`'s counter incremented (set to 1 when absent). */
export function bumpVector(v: VersionVector, id: string): VersionVector {
  return sortVector({ ...v, [id]: (v[id] ?? 0) + 1 });
}

function sortVector(v: Record<string, number>): VersionVector {
  const out: Record<string, number> = {};
  for (const id of Object.keys(v).sort()) out[id] = v[id] as number;
  return out;
}

export function isVersionVector(v: unknown): v is VersionVector {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return false;
  for (const [k, n] of Object.entries(v)) {
    if (k.length === 0 || k.length > 64) return false;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return false;
  }
  return true;
}

import { randomBytes } from 'node:crypto';
import { RandomSourceError } from './errors.js';

/**
 * A source of cryptographically secure random bytes: returns exactly `length` fresh bytes.
 * Injected wherever randomness is needed so tests can be deterministic.
 */
export type RandomSource = (length: number) => Uint8Array;

export const systemRandom: RandomSource = (length) => new Uint8Array(randomBytes(length));

/** Calls `random` and checks that it kept its contract. */
export function drawBytes(random: RandomSource, length: number): Uint8Array {
  const bytes: unknown = random(length);
  if (!(bytes instanceof Uint8Array)) throw new RandomSourceError(length, typeof bytes);
  if (bytes.length !== length) throw new RandomSourceError(length, `${bytes.length} bytes`);
  return bytes;
}

/** A uniform integer in [0, bound), by rejection sampling so no value is favoured. */
export function uniformInt(random: RandomSource, bound: number): number {
  if (!Number.isSafeInteger(bound) || bound < 1 || bound > 2 ** 32) throw new RangeError(`bound ${bound} out of range`);
  // The largest multiple of `bound` that fits in 32 bits; draws at or above it are rejected.
  const limit = 2 ** 32 - (2 ** 32 % bound);
  for (;;) {
    const b = drawBytes(random, 4);
    const n = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    if (n < limit) return n % bound;
  }
}

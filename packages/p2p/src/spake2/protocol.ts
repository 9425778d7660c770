/** The group operations of SPAKE2 (RFC 9382 section 3.3), as pure functions of the scalars. */
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { Spake2InvalidMessageError } from './errors.js';
import { drawBytes, type RandomSource } from './random.js';
import { M, N, ORDER, Point } from './suite.js';

export type Spake2Role = 'A' | 'B';

/** Random bytes drawn per scalar: 64 bits over the order's 256, for a bias of at most 2^-64. */
export const SCALAR_RANDOM_BYTES = 40;

/** A uniform scalar in [1, p): OS2IP(random(40)) mod p, drawn again in the (2^-256) case of 0. */
export function randomScalar(random: RandomSource): bigint {
  for (;;) {
    const s = bytesToNumberBE(drawBytes(random, SCALAR_RANDOM_BYTES)) % ORDER;
    if (s !== 0n) return s;
  }
}

/** A's own mask is M and B's is N; each removes the other's. */
function masks(role: Spake2Role): { own: Point; peer: Point } {
  return role === 'A' ? { own: M, peer: N } : { own: N, peer: M };
}

/** pA = x*P + w*M (role A), pB = y*P + w*N (role B). */
export function computeMessage(role: Spake2Role, w: bigint, scalar: bigint): Point {
  return Point.BASE.multiply(scalar).add(masks(role).own.multiply(w));
}

/**
 * K = h*x*(pB - w*N) for A, h*y*(pA - w*M) for B (h = 1 on P-256). A peer message that is
 * exactly w times the peer's mask would make K the identity; it is refused.
 */
export function computeSharedElement(role: Spake2Role, w: bigint, scalar: bigint, peer: Point): Point {
  const unmasked = peer.subtract(masks(role).peer.multiply(w));
  const K = unmasked.is0() ? unmasked : unmasked.multiply(scalar);
  if (K.is0()) throw new Spake2InvalidMessageError('the shared element is the identity');
  return K;
}

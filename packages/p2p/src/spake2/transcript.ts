/** The transcript TT and key schedule of RFC 9382 (sections 3.3 and 4). */
import { concatBytes, equalBytes, numberToBytesBE } from '@noble/curves/utils.js';
import { Spake2InvalidMessageError } from './errors.js';
import { Point, POINT_BYTES, SCALAR_BYTES, hash, kdf, mac } from './suite.js';

/** len(S) || S, where len is the byte length as an 8-byte little-endian number. */
export function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + bytes.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(bytes.length), true);
  out.set(bytes, 8);
  return out;
}

/** A scalar as fixed-length big-endian bytes, so len(w) does not depend on the value of w. */
export function encodeScalar(scalar: bigint): Uint8Array {
  return numberToBytesBE(scalar, SCALAR_BYTES);
}

export function encodePoint(point: Point): Uint8Array {
  return point.toBytes(false);
}

/**
 * Decodes a peer's pA or pB. Only the 65-byte uncompressed SEC1 form is accepted (it is what
 * both sides put in TT); the point must be on P-256 and not the identity. With a cofactor of 1,
 * "h*X is not the identity" (RFC 9382 section 3.3) reduces to the identity check.
 */
export function decodePeerElement(bytes: Uint8Array): Point {
  if (!(bytes instanceof Uint8Array)) throw new Spake2InvalidMessageError(`expected bytes, got ${typeof bytes}`);
  if (bytes.length !== POINT_BYTES || bytes[0] !== 0x04) {
    throw new Spake2InvalidMessageError(`expected a ${POINT_BYTES}-byte uncompressed P-256 point, got ${bytes.length} bytes`);
  }
  let point: Point;
  try {
    point = Point.fromBytes(bytes);
    point.assertValidity();
  } catch (cause) {
    throw new Spake2InvalidMessageError('not a point on P-256', { cause });
  }
  if (point.is0()) throw new Spake2InvalidMessageError('the identity element');
  return point;
}

export interface TranscriptParts {
  idA: Uint8Array;
  idB: Uint8Array;
  pA: Uint8Array;
  pB: Uint8Array;
  K: Uint8Array;
  w: bigint;
}

/** TT = len(A) || A || len(B) || B || len(pA) || pA || len(pB) || pB || len(K) || K || len(w) || w */
export function transcript(parts: TranscriptParts): Uint8Array {
  return concatBytes(
    lengthPrefixed(parts.idA),
    lengthPrefixed(parts.idB),
    lengthPrefixed(parts.pA),
    lengthPrefixed(parts.pB),
    lengthPrefixed(parts.K),
    lengthPrefixed(encodeScalar(parts.w)),
  );
}

export interface KeySchedule {
  /** The shared secret output by the protocol. */
  Ke: Uint8Array;
  /** Used only to derive the confirmation keys. */
  Ka: Uint8Array;
  KcA: Uint8Array;
  KcB: Uint8Array;
}

const CONFIRMATION_KEYS = new TextEncoder().encode('ConfirmationKeys');

/** Ke || Ka = Hash(TT); KcA || KcB = KDF(Ka, nil, "ConfirmationKeys" || AAD). */
export function keySchedule(tt: Uint8Array, aad: Uint8Array): KeySchedule {
  const digest = hash(tt);
  const half = digest.length / 2;
  const Ka = digest.slice(half);
  const kc = kdf(Ka, concatBytes(CONFIRMATION_KEYS, aad), digest.length);
  return { Ke: digest.slice(0, half), Ka, KcA: kc.slice(0, half), KcB: kc.slice(half) };
}

/** cA = MAC(KcA, TT), cB = MAC(KcB, TT). */
export function confirmationMac(key: Uint8Array, tt: Uint8Array): Uint8Array {
  return mac(key, tt);
}

/** Constant-time comparison (for equal lengths) of a received confirmation. */
export function confirmationsEqual(received: Uint8Array, expected: Uint8Array): boolean {
  return received instanceof Uint8Array && equalBytes(received, expected);
}

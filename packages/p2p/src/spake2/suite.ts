/**
 * The SPAKE2-P256-SHA256-HKDF-HMAC ciphersuite of RFC 9382 (section 6): the group P-256 with
 * its fixed M and N, SHA-256 as Hash, HKDF-SHA256 as KDF and HMAC-SHA256 as MAC.
 */
import { p256 } from '@noble/curves/nist.js';
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

export type Point = WeierstrassPoint<bigint>;

export const Point = p256.Point;

/** The prime order of the group (called p in RFC 9382; the cofactor h of P-256 is 1). */
export const ORDER: bigint = p256.Point.Fn.ORDER;

/** Bytes of a scalar: w is written with this fixed length in the transcript. */
export const SCALAR_BYTES = 32;

/** Bytes of an uncompressed SEC1 point, the only encoding sent or put in the transcript. */
export const POINT_BYTES = 65;

/** RFC 9382 section 6, P-256 (compressed SEC1). */
export const M_HEX = '02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f';
export const N_HEX = '03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49';

export const M: Point = Point.fromHex(M_HEX);
export const N: Point = Point.fromHex(N_HEX);

export const hash = (data: Uint8Array): Uint8Array => sha256(data);

/** KDF(ikm, salt = nil, info, length): HKDF-SHA256, whose nil salt is HashLen zero bytes. */
export const kdf = (ikm: Uint8Array, info: Uint8Array, length: number): Uint8Array => hkdf(sha256, ikm, undefined, info, length);

export const mac = (key: Uint8Array, data: Uint8Array): Uint8Array => hmac(sha256, key, data);

/**
 * w = MHF(pw) mod p (RFC 9382 section 3.2). The MHF here is scrypt (RFC 7914) with fixed
 * parameters; changing any of them changes every w, so they are part of the pairing protocol
 * version and both sides must use the same ones.
 *
 * - N = 2^15, r = 8, p = 1: 32 MiB and roughly 150 ms in JavaScript. SPAKE2 already stops
 *   offline guessing from the messages; the MHF only makes a stolen w (or a future leak) slow to
 *   invert, so the cost is kept low enough to run once per pairing attempt.
 * - dkLen = 40 bytes: 64 bits more than the 256-bit group order, so reducing mod p leaves a bias
 *   of at most 2^-64 (as RFC 9382 suggests, after NIST SP 800-56A).
 * - salt: a fixed domain-separation string; a pairing code is used once, so a per-pairing salt
 *   would add nothing the short validity does not already give.
 */
import { scrypt as scryptCallback, scryptSync } from 'node:crypto';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { Spake2ParameterError } from './errors.js';
import { ORDER } from './suite.js';

export const PASSWORD_MHF = Object.freeze({
  algorithm: 'scrypt',
  N: 2 ** 15,
  r: 8,
  p: 1,
  dkLen: 40,
  salt: 'syncline/spake2-p256-sha256/w/v1',
});

const SALT = new TextEncoder().encode(PASSWORD_MHF.salt);
// Node's native scrypt (same function as RFC 7914; the tests compare it with @noble/hashes).
const OPTIONS = { N: PASSWORD_MHF.N, r: PASSWORD_MHF.r, p: PASSWORD_MHF.p, maxmem: 64 * 1024 * 1024 };

/** The scalar w for a password: scrypt(pw) mod p. Blocks for the scrypt time; see the async form. */
export function passwordToScalar(password: Uint8Array): bigint {
  checkPassword(password);
  return toScalar(new Uint8Array(scryptSync(password, SALT, PASSWORD_MHF.dkLen, OPTIONS)));
}

/** As passwordToScalar, yielding to the event loop while scrypt runs. */
export async function passwordToScalarAsync(password: Uint8Array): Promise<bigint> {
  checkPassword(password);
  const derived = await new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password, SALT, PASSWORD_MHF.dkLen, OPTIONS, (err, key) => (err ? reject(err) : resolve(key))),
  );
  return toScalar(new Uint8Array(derived));
}

function checkPassword(password: Uint8Array): void {
  if (!(password instanceof Uint8Array) || password.length === 0) {
    throw new Spake2ParameterError('the SPAKE2 password must be non-empty bytes');
  }
}

function toScalar(derived: Uint8Array): bigint {
  const w = bytesToNumberBE(derived) % ORDER;
  derived.fill(0);
  // Probability 2^-256; a zero w would leave the messages unmasked, so refuse rather than use it.
  if (w === 0n) throw new Spake2ParameterError('the password maps to the zero scalar; choose another');
  return w;
}

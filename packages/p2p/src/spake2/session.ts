/**
 * A SPAKE2-P256-SHA256-HKDF-HMAC session (RFC 9382): one message each way, which may cross,
 * then one confirmation MAC each way.
 *
 *   A: s = startSpake2({ role: 'A', ... })   B: s = startSpake2({ role: 'B', ... })
 *   both send s.message, then f = s.finish(peerMessage), send f.confirmation,
 *   and use f.sharedKey only once f.verifyPeer(peerConfirmation) is true.
 *
 * A wrong password is not an error until confirmation: finish() succeeds and verifyPeer()
 * returns false. Each session gives an active attacker exactly one password guess, and a
 * passive one none, so the caller must count failed sessions against an attempt limit.
 */
import { Spake2ParameterError, Spake2StateError } from './errors.js';
import { passwordToScalar } from './password.js';
import { computeMessage, computeSharedElement, randomScalar, type Spake2Role } from './protocol.js';
import { systemRandom, type RandomSource } from './random.js';
import { ORDER } from './suite.js';
import { confirmationMac, confirmationsEqual, decodePeerElement, encodePoint, keySchedule, transcript } from './transcript.js';

export type { Spake2Role } from './protocol.js';

interface Spake2CommonOptions {
  role: Spake2Role;
  /** A's identity (may be empty); both sides must give the same idA and idB. */
  idA: Uint8Array;
  idB: Uint8Array;
  /** Additional authenticated data, bound into the confirmation keys; both sides must agree. */
  aad?: Uint8Array;
  /** Defaults to the system CSPRNG. The secret scalar is OS2IP(random(40)) mod p. */
  random?: RandomSource;
}

export type Spake2Options = Spake2CommonOptions &
  (
    | {
        /** The shared password; w = scrypt(password) mod p (see password.ts). */
        password: Uint8Array;
        w?: never;
      }
    | {
        /** w given directly, in [1, p): for a w derived once with passwordToScalarAsync, and for the RFC's vectors. */
        w: bigint;
        password?: never;
      }
  );

export interface Spake2Session {
  readonly role: Spake2Role;
  /** pA or pB, 65 bytes (uncompressed SEC1): send it to the peer. */
  readonly message: Uint8Array;
  /** Takes the peer's message; throws Spake2InvalidMessageError if it is not a valid element. Once only. */
  finish(peerMessage: Uint8Array): Spake2Result;
}

export interface Spake2Result {
  /** cA or cB, 32 bytes: send it to the peer. */
  readonly confirmation: Uint8Array;
  /** Checks the peer's confirmation in constant time. After a false, the session stays failed. */
  verifyPeer(peerConfirmation: Uint8Array): boolean;
  /** Ke, 16 bytes. Throws Spake2StateError until verifyPeer has returned true. */
  readonly sharedKey: Uint8Array;
}

export function startSpake2(options: Spake2Options): Spake2Session {
  const { role } = options;
  if (role !== 'A' && role !== 'B') throw new Spake2ParameterError(`the SPAKE2 role must be 'A' or 'B', not ${String(role)}`);
  const idA = bytesOption('idA', options.idA);
  const idB = bytesOption('idB', options.idB);
  const aad = bytesOption('aad', options.aad ?? new Uint8Array());
  const w = options.w !== undefined ? checkScalar(options.w) : passwordToScalar(options.password);
  const scalar = randomScalar(options.random ?? systemRandom);
  const message = encodePoint(computeMessage(role, w, scalar));
  let finished = false;

  return {
    role,
    get message(): Uint8Array {
      return message.slice();
    },
    finish(peerMessage: Uint8Array): Spake2Result {
      if (finished) throw new Spake2StateError('this SPAKE2 session is already finished; start a new one for another attempt');
      finished = true;
      const peer = decodePeerElement(peerMessage);
      const K = encodePoint(computeSharedElement(role, w, scalar, peer));
      const peerBytes = encodePoint(peer);
      const [pA, pB] = role === 'A' ? [message, peerBytes] : [peerBytes, message];
      const tt = transcript({ idA, idB, pA, pB, K, w });
      const keys = keySchedule(tt, aad);
      const cA = confirmationMac(keys.KcA, tt);
      const cB = confirmationMac(keys.KcB, tt);
      const [own, expected] = role === 'A' ? [cA, cB] : [cB, cA];
      return confirmedKey(own, expected, keys.Ke);
    },
  };
}

function confirmedKey(own: Uint8Array, expected: Uint8Array, Ke: Uint8Array): Spake2Result {
  let state: 'pending' | 'confirmed' | 'failed' = 'pending';
  return {
    get confirmation(): Uint8Array {
      return own.slice();
    },
    verifyPeer(peerConfirmation: Uint8Array): boolean {
      if (state === 'failed') return false;
      const ok = confirmationsEqual(peerConfirmation, expected);
      if (state === 'pending') state = ok ? 'confirmed' : 'failed';
      return ok;
    },
    get sharedKey(): Uint8Array {
      if (state !== 'confirmed') {
        throw new Spake2StateError("the SPAKE2 key is not usable before the peer's confirmation has been verified");
      }
      return Ke.slice();
    },
  };
}

function checkScalar(w: bigint): bigint {
  if (typeof w !== 'bigint' || w <= 0n || w >= ORDER) throw new Spake2ParameterError('the SPAKE2 scalar w must be a bigint in [1, p)');
  return w;
}

/** A private copy, so later changes to the caller's array cannot alter the transcript. */
function bytesOption(name: string, value: Uint8Array): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new Spake2ParameterError(`the SPAKE2 ${name} must be bytes`);
  return value.slice();
}

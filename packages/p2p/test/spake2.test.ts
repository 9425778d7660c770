import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import fc from 'fast-check';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  PASSWORD_MHF,
  RandomSourceError,
  Spake2InvalidMessageError,
  Spake2ParameterError,
  Spake2StateError,
  passwordToScalar,
  passwordToScalarAsync,
  startSpake2,
  type RandomSource,
  type Spake2Result,
  type Spake2Session,
} from '../src/spake2/index.js';
import { N, ORDER, Point } from '../src/spake2/suite.js';

const seed = Number(process.env.SYNCLINE_SEED ?? Date.now() % 2 ** 31);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const ids = { idA: utf8('device-a'), idB: utf8('device-b') };

/** A deterministic random source: SHA-256 in counter mode over a seed. */
function seededRandom(seedBytes: Uint8Array): RandomSource {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let at = 0; at < length; at += 32) {
      const block = sha256(new Uint8Array([...seedBytes, ...new Uint8Array(new Uint32Array([counter++]).buffer)]));
      out.set(block.subarray(0, Math.min(32, length - at)), at);
    }
    return out;
  };
}

function exchange(a: Spake2Session, b: Spake2Session): [Spake2Result, Spake2Result] {
  return [a.finish(b.message), b.finish(a.message)];
}

const scalarArb = fc.bigInt({ min: 1n, max: ORDER - 1n });
const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('SPAKE2 sessions', () => {
  before(() => console.log(`    fast-check seed ${seed} (replay: SYNCLINE_SEED=${seed})`));

  it('same w: both confirmations verify and both sides get the same key (fast-check)', () => {
    fc.assert(
      fc.property(scalarArb, seedArb, seedArb, fc.uint8Array({ maxLength: 16 }), (w, sa, sb, aad) => {
        const a = startSpake2({ role: 'A', w, ...ids, aad, random: seededRandom(sa) });
        const b = startSpake2({ role: 'B', w, ...ids, aad, random: seededRandom(sb) });
        const [fa, fb] = exchange(a, b);
        assert.equal(fa.verifyPeer(fb.confirmation), true);
        assert.equal(fb.verifyPeer(fa.confirmation), true);
        assert.deepEqual(fa.sharedKey, fb.sharedKey);
        assert.equal(fa.sharedKey.length, 16);
        assert.notDeepEqual(fa.confirmation, fb.confirmation);
      }),
      { seed, numRuns: 40 },
    );
  });

  it('different w: confirmations fail on both sides and no key is released (fast-check)', () => {
    fc.assert(
      fc.property(scalarArb, scalarArb, seedArb, seedArb, (wa, wb, sa, sb) => {
        fc.pre(wa !== wb);
        const a = startSpake2({ role: 'A', w: wa, ...ids, random: seededRandom(sa) });
        const b = startSpake2({ role: 'B', w: wb, ...ids, random: seededRandom(sb) });
        const [fa, fb] = exchange(a, b);
        assert.equal(fa.verifyPeer(fb.confirmation), false);
        assert.equal(fb.verifyPeer(fa.confirmation), false);
        assert.throws(() => fa.sharedKey, Spake2StateError);
        assert.throws(() => fb.sharedKey, Spake2StateError);
      }),
      { seed, numRuns: 40 },
    );
  });

  it('a tampered message or confirmation fails (fast-check)', () => {
    fc.assert(
      fc.property(
        scalarArb,
        seedArb,
        seedArb,
        fc.constantFrom<'A' | 'B'>('A', 'B'),
        fc.nat({ max: 64 }),
        fc.integer({ min: 1, max: 255 }),
        (w, sa, sb, victim, at, flip) => {
          const a = startSpake2({ role: 'A', w, ...ids, random: seededRandom(sa) });
          const b = startSpake2({ role: 'B', w, ...ids, random: seededRandom(sb) });
          const tampered = (victim === 'A' ? a : b).message.slice();
          tampered[at]! ^= flip;
          const receiver = victim === 'A' ? b : a;
          const sender = victim === 'A' ? a : b;
          let fr: Spake2Result;
          try {
            fr = receiver.finish(tampered);
          } catch (error) {
            assert.ok(error instanceof Spake2InvalidMessageError, String(error));
            return;
          }
          const fs = sender.finish(receiver.message);
          assert.equal(fr.verifyPeer(fs.confirmation), false);
          assert.equal(fs.verifyPeer(fr.confirmation), false);
        },
      ),
      { seed, numRuns: 60 },
    );
    fc.assert(
      fc.property(scalarArb, seedArb, seedArb, fc.nat({ max: 31 }), fc.integer({ min: 1, max: 255 }), (w, sa, sb, at, flip) => {
        const [fa, fb] = exchange(
          startSpake2({ role: 'A', w, ...ids, random: seededRandom(sa) }),
          startSpake2({ role: 'B', w, ...ids, random: seededRandom(sb) }),
        );
        const forged = fb.confirmation.slice();
        forged[at]! ^= flip;
        assert.equal(fa.verifyPeer(forged), false);
        assert.equal(fa.verifyPeer(fb.confirmation), false, 'a failed session stays failed');
      }),
      { seed, numRuns: 40 },
    );
  });

  it('fails when the identities or the AAD differ between the sides', () => {
    const w = 12345n;
    const cases = [
      [{ ...ids }, { idA: ids.idB, idB: ids.idA }],
      [{ ...ids, aad: utf8('x') }, { ...ids, aad: utf8('y') }],
      [{ ...ids }, { ...ids, aad: utf8('y') }],
    ] as const;
    for (const [optsA, optsB] of cases) {
      const [fa, fb] = exchange(startSpake2({ role: 'A', w, ...optsA }), startSpake2({ role: 'B', w, ...optsB }));
      assert.equal(fa.verifyPeer(fb.confirmation), false);
      assert.equal(fb.verifyPeer(fa.confirmation), false);
    }
  });

  it('two sessions with the same role never agree (M and N keep A and B apart)', () => {
    const [f1, f2] = exchange(startSpake2({ role: 'A', w: 7n, ...ids }), startSpake2({ role: 'A', w: 7n, ...ids }));
    assert.equal(f1.verifyPeer(f2.confirmation), false);
  });

  describe('invalid peer messages', () => {
    const w = 987654321n;
    const session = (): Spake2Session => startSpake2({ role: 'A', w, ...ids });
    const valid = startSpake2({ role: 'B', w, ...ids }).message;
    const offCurve = valid.slice();
    offCurve[64]! ^= 1;
    const cases: Array<[string, unknown]> = [
      ['empty', new Uint8Array()],
      ['the SEC1 identity encoding', new Uint8Array([0])],
      ['a compressed point', Point.fromBytes(valid).toBytes(true)],
      ['64 bytes', valid.subarray(1)],
      ['66 bytes', new Uint8Array([...valid, 0])],
      ['a wrong prefix', new Uint8Array([0x02, ...valid.subarray(1)])],
      ['a point off the curve', offCurve],
      ['all zero coordinates', new Uint8Array([4, ...new Uint8Array(64)])],
      ['a coordinate above the field prime', new Uint8Array([4, ...new Uint8Array(64).fill(0xff)])],
      ['a string', 'not bytes'],
      ['w*N, which makes K the identity', N.multiply(w).toBytes(false)],
    ];
    for (const [name, message] of cases) {
      it(`rejects ${name}`, () => {
        assert.throws(() => session().finish(message as Uint8Array), Spake2InvalidMessageError);
      });
    }
    it('rejects them with a stable code', () => {
      assert.throws(() => session().finish(new Uint8Array()), { code: 'SYNCLINE_SPAKE2_INVALID_MESSAGE' });
    });
  });

  describe('session state and parameters', () => {
    it('finishes only once', () => {
      const a = startSpake2({ role: 'A', w: 5n, ...ids });
      const b = startSpake2({ role: 'B', w: 5n, ...ids });
      a.finish(b.message);
      assert.throws(() => a.finish(b.message), Spake2StateError);
    });

    it('a rejected peer message also ends the session', () => {
      const a = startSpake2({ role: 'A', w: 5n, ...ids });
      assert.throws(() => a.finish(new Uint8Array(3)), Spake2InvalidMessageError);
      assert.throws(() => a.finish(startSpake2({ role: 'B', w: 5n, ...ids }).message), Spake2StateError);
    });

    it('withholds the key until the peer is verified', () => {
      const [fa, fb] = exchange(startSpake2({ role: 'A', w: 5n, ...ids }), startSpake2({ role: 'B', w: 5n, ...ids }));
      assert.throws(() => fa.sharedKey, { code: 'SYNCLINE_SPAKE2_STATE' });
      assert.equal(fa.verifyPeer(fb.confirmation), true);
      assert.equal(fa.sharedKey.length, 16);
    });

    it('is not affected by later changes to the caller’s arrays', () => {
      const idA = utf8('a');
      const a = startSpake2({ role: 'A', w: 5n, idA, idB: ids.idB });
      const b = startSpake2({ role: 'B', w: 5n, idA: utf8('a'), idB: ids.idB });
      idA[0] = 0x7a;
      a.message[1]! ^= 1;
      const [fa, fb] = exchange(a, b);
      assert.equal(fa.verifyPeer(fb.confirmation), true);
    });

    it('rejects w outside [1, p) and a bad role', () => {
      for (const w of [0n, -1n, ORDER, ORDER + 1n, 5 as unknown as bigint]) {
        assert.throws(() => startSpake2({ role: 'A', w, ...ids }), Spake2ParameterError);
      }
      assert.throws(() => startSpake2({ role: 'C' as 'A', w: 5n, ...ids }), Spake2ParameterError);
      assert.throws(() => startSpake2({ role: 'A', w: 5n, idA: 'a' as unknown as Uint8Array, idB: ids.idB }), Spake2ParameterError);
    });

    it('rejects a random source that breaks its contract', () => {
      assert.throws(() => startSpake2({ role: 'A', w: 5n, ...ids, random: () => new Uint8Array(8) }), RandomSourceError);
    });

    it('draws a fresh scalar per session from the system CSPRNG by default', () => {
      const m1 = startSpake2({ role: 'A', w: 5n, ...ids }).message;
      const m2 = startSpake2({ role: 'A', w: 5n, ...ids }).message;
      assert.notDeepEqual(m1, m2);
    });
  });
});

/**
 * Under mocha, tsx loads these tests as CommonJS and recompiles the ESM dependencies, which
 * makes noble's scrypt about ten times slower than in the built daemon (seconds instead of
 * ~0.15 s). So noble's scrypt runs only where it is the thing under test; elsewhere w comes
 * from node:crypto's scrypt, which the first test shows gives the same w.
 */
const PASSWORDS = ['4-orbit-lemon-violet', '4-orbit-lemon-violed', '5-orbit-lemon-violet', '4-lemon-orbit-violet', 'x'];
const wCache = new Map<string, bigint>();
function nodeW(pw: string): bigint {
  let w = wCache.get(pw);
  if (w === undefined) {
    const derived = scryptSync(utf8(pw), PASSWORD_MHF.salt, PASSWORD_MHF.dkLen, {
      N: PASSWORD_MHF.N,
      r: PASSWORD_MHF.r,
      p: PASSWORD_MHF.p,
      maxmem: 64 * 1024 * 1024,
    });
    wCache.set(pw, (w = BigInt(`0x${derived.toString('hex')}`) % ORDER));
  }
  return w;
}

describe('SPAKE2 password to w (scrypt)', () => {
  it('uses the documented, fixed scrypt parameters', () => {
    assert.deepEqual({ ...PASSWORD_MHF }, { algorithm: 'scrypt', N: 32768, r: 8, p: 1, dkLen: 40, salt: 'syncline/spake2-p256-sha256/w/v1' });
  });

  it('is scrypt(pw) mod p, as an independent scrypt (node:crypto) computes it', async () => {
    const pw = PASSWORDS[0]!;
    assert.equal(passwordToScalar(utf8(pw)), nodeW(pw));
    assert.equal(await passwordToScalarAsync(utf8(pw)), nodeW(pw));
  });

  it('rejects an empty password', () => {
    assert.throws(() => passwordToScalar(new Uint8Array()), Spake2ParameterError);
    assert.throws(() => startSpake2({ role: 'A', password: new Uint8Array(), ...ids }), Spake2ParameterError);
  });

  it('a session started from the password meets one started from its w', () => {
    const pw = PASSWORDS[1]!;
    const [fa, fb] = exchange(startSpake2({ role: 'A', password: utf8(pw), ...ids }), startSpake2({ role: 'B', w: nodeW(pw), ...ids }));
    assert.equal(fa.verifyPeer(fb.confirmation), true);
    assert.equal(fb.verifyPeer(fa.confirmation), true);
  });

  it('end to end from passwords: the same one agrees, a different one fails (fast-check)', () => {
    const pwArb = fc.constantFrom(...PASSWORDS);
    fc.assert(
      fc.property(pwArb, pwArb, seedArb, seedArb, (pwA, pwB, sa, sb) => {
        const [fa, fb] = exchange(
          startSpake2({ role: 'A', w: nodeW(pwA), ...ids, random: seededRandom(sa) }),
          startSpake2({ role: 'B', w: nodeW(pwB), ...ids, random: seededRandom(sb) }),
        );
        assert.equal(fa.verifyPeer(fb.confirmation), pwA === pwB);
        assert.equal(fb.verifyPeer(fa.confirmation), pwA === pwB);
        if (pwA === pwB) assert.deepEqual(fa.sharedKey, fb.sharedKey);
      }),
      { seed, numRuns: 40 },
    );
  });
});

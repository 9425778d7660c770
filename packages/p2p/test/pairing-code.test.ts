import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  InvalidPairingCodeError,
  PAIRING_CODE_COUNT,
  PAIRING_WORDS,
  generatePairingCode,
  pairingPassword,
  parsePairingCode,
} from '../src/pairing-code.js';
import { RandomSourceError } from '../src/spake2/errors.js';

const seed = Number(process.env.SYNCLINE_SEED ?? Date.now() % 2 ** 31);

/** Replays the given bytes, then zeros. */
function bytesRandom(bytes: number[]): (length: number) => Uint8Array {
  let at = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = bytes[at++] ?? 0;
    return out;
  };
}

describe('pairing codes', () => {
  before(() => console.log(`    fast-check seed ${seed} (replay: SYNCLINE_SEED=${seed})`));

  describe('word list', () => {
    it('has at least 1,024 distinct short lower-case ASCII words', () => {
      assert.ok(PAIRING_WORDS.length >= 1024, `${PAIRING_WORDS.length} words`);
      assert.equal(new Set(PAIRING_WORDS).size, PAIRING_WORDS.length, 'duplicates');
      for (const word of PAIRING_WORDS) assert.match(word, /^[a-z]{3,6}$/);
    });

    it('is sorted, and no word is a plural of another', () => {
      assert.deepEqual([...PAIRING_WORDS].sort(), PAIRING_WORDS);
      const words = new Set(PAIRING_WORDS);
      for (const word of PAIRING_WORDS) assert.ok(!words.has(`${word}s`), `${word} and ${word}s`);
    });

    it('gives 9 × 1024³ codes (about 33.2 bits)', () => {
      assert.equal(PAIRING_CODE_COUNT, 9 * PAIRING_WORDS.length ** 3);
      assert.ok(Math.log2(PAIRING_CODE_COUNT) >= 33);
    });
  });

  describe('generate', () => {
    it('makes "number-word-word-word" from the injected randomness', () => {
      // uniformInt reads 4 big-endian bytes per draw: 3 -> number 4; 0, 1, 1023 -> words.
      const code = generatePairingCode(bytesRandom([0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 3, 255]));
      assert.equal(code.number, 4);
      assert.deepEqual(code.words, [PAIRING_WORDS[0], PAIRING_WORDS[1], PAIRING_WORDS[1023]]);
      assert.equal(code.text, `4-${PAIRING_WORDS[0]}-${PAIRING_WORDS[1]}-${PAIRING_WORDS[1023]}`);
    });

    it('rejects draws that would bias the number instead of wrapping them', () => {
      // 0xffffffff is above the largest multiple of 9 below 2^32, so it is drawn again.
      const code = generatePairingCode(bytesRandom([255, 255, 255, 255, 0, 0, 0, 8]));
      assert.equal(code.number, 9);
    });

    it('uses the system CSPRNG by default', () => {
      const codes = new Set(Array.from({ length: 20 }, () => generatePairingCode().text));
      assert.ok(codes.size > 1);
    });

    it('refuses a random source that breaks its contract', () => {
      assert.throws(() => generatePairingCode(() => new Uint8Array(1)), RandomSourceError);
    });

    it('round-trips through parse (fast-check)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (bytes) => {
          const code = generatePairingCode(bytesRandom([...bytes]));
          assert.ok(code.number >= 1 && code.number <= 9);
          assert.match(code.text, /^[1-9](-[a-z]{3,6}){3}$/);
          assert.deepEqual(parsePairingCode(code.text), code);
        }),
        { seed, numRuns: 300 },
      );
    });
  });

  describe('parse', () => {
    const canonical = '4-orbit-lemon-violet';
    for (const typed of [
      '4-orbit-lemon-violet',
      '4 orbit lemon violet',
      '  4 ORBIT Lemon violet  ',
      '4 - orbit - lemon - violet',
      '4--orbit__lemon\tviolet',
      '4\u2013orbit\u2014lemon\u2212violet',
      '\uff14-orbit-lemon-violet',
      '-4-orbit-lemon-violet-',
    ]) {
      it(`normalizes ${JSON.stringify(typed)}`, () => {
        const code = parsePairingCode(typed);
        assert.equal(code.text, canonical);
        assert.equal(code.number, 4);
        assert.deepEqual(code.words, ['orbit', 'lemon', 'violet']);
      });
    }

    for (const [typed, why] of [
      ['', /empty/],
      ['   - -  ', /empty/],
      ['4-orbit-lemon', /number and three words.*3 parts/],
      ['4-orbit-lemon-violet-mango', /5 parts/],
      ['orbit', /1 part\b/],
      ['orbit-lemon-violet-4', /number from 1 to 9, not "orbit"/],
      ['0-orbit-lemon-violet', /number from 1 to 9, not "0"/],
      ['10-orbit-lemon-violet', /not "10"/],
      ['04-orbit-lemon-violet', /not "04"/],
      ['x-orbit-lemon-violet', /not "x"/],
      ['4-orbit-lemn-violet', /"lemn" is not one of the code words/],
      ['4-orbit-lemons-violet', /"lemons"/],
      ['4.orbit.lemon.violet', /1 part/],
      ['4-orbit-lemon-violét', /"violét"/],
      ['4-orbit-lemon-' + 'v'.repeat(200), /too long/],
    ] as const) {
      it(`rejects ${JSON.stringify(typed.length > 40 ? `${typed.slice(0, 40)}…` : typed)}`, () => {
        assert.throws(
          () => parsePairingCode(typed),
          (error: unknown) => error instanceof InvalidPairingCodeError && error.code === 'SYNCLINE_INVALID_PAIRING_CODE' && why.test(error.message),
        );
      });
    }

    it('rejects a non-string', () => {
      assert.throws(() => parsePairingCode(42 as unknown as string), InvalidPairingCodeError);
    });

    it('accepts any number, any words, any separators and any case (fast-check)', () => {
      const sep = fc.constantFrom('-', ' ', '  ', ' - ', '_', '\u2013', '\t');
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 9 }),
          fc.array(fc.constantFrom(...PAIRING_WORDS), { minLength: 3, maxLength: 3 }),
          fc.array(sep, { minLength: 3, maxLength: 3 }),
          fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
          (n, words, seps, upper) => {
            const typed = [String(n), ...words]
              .map((part, i) => (i === 0 ? part : `${seps[i - 1]}${part}`))
              .join('')
              .split('')
              .map((ch, i) => (upper[i % upper.length] ? ch.toUpperCase() : ch))
              .join('');
            assert.equal(parsePairingCode(typed).text, [n, ...words].join('-'));
          },
        ),
        { seed, numRuns: 300 },
      );
    });
  });

  describe('pairingPassword', () => {
    it('is the UTF-8 of the canonical text, whatever the typing', () => {
      const expected = new TextEncoder().encode('4-orbit-lemon-violet');
      assert.deepEqual(pairingPassword('4 Orbit LEMON violet'), expected);
      assert.deepEqual(pairingPassword(parsePairingCode('4-orbit-lemon-violet')), expected);
    });

    it('differs for different codes', () => {
      assert.notDeepEqual(pairingPassword('4-orbit-lemon-violet'), pairingPassword('5-orbit-lemon-violet'));
    });

    it('refuses a malformed code', () => {
      assert.throws(() => pairingPassword('4-orbit-lemon'), InvalidPairingCodeError);
      assert.throws(() => pairingPassword({ number: 4, words: ['orbit', 'lemon', 'nope'], text: '4-orbit-lemon-nope' }), InvalidPairingCodeError);
    });
  });
});

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareVectors, joinVectors, bumpVector, vectorLess, type VersionVector } from '../src/index.js';

const seed = Number(process.env.SYNCLINE_SEED ?? Date.now() % 2 ** 31);

describe('version vectors (seed 004 test vectors)', () => {
  const less: [VersionVector, VersionVector, boolean][] = [
    [{}, { A: 1 }, true],
    [{ A: 1 }, { A: 1 }, false],
    [{ A: 1 }, { A: 2, B: 3 }, true],
    [{ A: 1, B: 2 }, { B: 3 }, false],
    [{ A: 1, B: 2 }, { A: 3, B: 1 }, false],
    [{ A: 1, B: 2 }, { A: 1, B: 3 }, true],
  ];
  for (const [x, y, expected] of less) {
    it(`${JSON.stringify(x)} ${expected ? '<' : '≮'} ${JSON.stringify(y)}`, () => {
      assert.equal(vectorLess(x, y), expected);
    });
  }
  const joins: [VersionVector, VersionVector, VersionVector][] = [
    [{ A: 1 }, { A: 2 }, { A: 2 }],
    [{ A: 1 }, { B: 2 }, { A: 1, B: 2 }],
    [{ A: 1, B: 4, C: 2, D: 6 }, { B: 3, C: 2, D: 7, E: 9 }, { A: 1, B: 4, C: 2, D: 7, E: 9 }],
  ];
  for (const [x, y, expected] of joins) {
    it(`${JSON.stringify(x)} ⊔ ${JSON.stringify(y)} = ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(joinVectors(x, y), expected);
    });
  }
  it('bump increments or adds the counter', () => {
    assert.deepEqual(bumpVector({}, 'A'), { A: 1 });
    assert.deepEqual(bumpVector({ A: 1, B: 2 }, 'B'), { A: 1, B: 3 });
  });
  it('orders concurrent, before, after and equal', () => {
    assert.equal(compareVectors({ A: 1 }, { B: 1 }), 'concurrent');
    assert.equal(compareVectors({ A: 1 }, { A: 2 }), 'before');
    assert.equal(compareVectors({ A: 2 }, { A: 1 }), 'after');
    assert.equal(compareVectors({ A: 0 }, {}), 'equal');
  });
});

describe('version vector laws (fast-check)', () => {
  before(() => console.log(`    fast-check seed ${seed} (replay: SYNCLINE_SEED=${seed})`));
  const vec = fc.dictionary(fc.constantFrom('A', 'B', 'C', 'D'), fc.integer({ min: 1, max: 4 }));
  const run = (p: fc.IProperty<[VersionVector, VersionVector, VersionVector]> | fc.IProperty<any>) => fc.assert(p, { seed, numRuns: 500 });

  it('join is commutative, associative and idempotent', () => {
    run(
      fc.property(vec, vec, vec, (x, y, z) => {
        assert.deepEqual(joinVectors(x, y), joinVectors(y, x));
        assert.deepEqual(joinVectors(joinVectors(x, y), z), joinVectors(x, joinVectors(y, z)));
        assert.deepEqual(joinVectors(x, x), joinVectors(x, {}));
      }),
    );
  });
  it('< is a strict partial order, and the join is an upper bound', () => {
    run(
      fc.property(vec, vec, vec, (x, y, z) => {
        assert.equal(vectorLess(x, x), false);
        if (vectorLess(x, y)) assert.equal(vectorLess(y, x), false);
        if (vectorLess(x, y) && vectorLess(y, z)) assert.equal(vectorLess(x, z), true);
        const j = joinVectors(x, y);
        assert.ok(['before', 'equal'].includes(compareVectors(x, j)));
        assert.ok(['before', 'equal'].includes(compareVectors(y, j)));
      }),
    );
  });
  it('a bump dominates what it bumped', () => {
    run(fc.property(vec, fc.constantFrom('A', 'B', 'E'), (x, id) => assert.equal(vectorLess(x, bumpVector(x, id)), true)));
  });
});

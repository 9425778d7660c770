import assert from 'node:assert/strict';
import { formatCount, groupThousands } from '../packages/cli/src/format.js';

describe('CLI number formatting', () => {
  it('groups thousands as toLocaleString("en-US") does, for integers of every length and sign', () => {
    for (const n of [0, 1, -1, 12, 999, 1000, -1000, 12_345, 123_456, 1_234_567, 10_200, -987_654_321, Number.MAX_SAFE_INTEGER]) {
      assert.equal(groupThousands(n), n.toLocaleString('en-US'), String(n));
    }
  });

  it('counts with the plural', () => {
    assert.equal(formatCount(1, 'change'), '1 change');
    assert.equal(formatCount(10_200, 'change'), '10,200 changes');
  });
});

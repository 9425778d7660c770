import assert from 'node:assert/strict';
import { redialDelay, REDIAL_MAX_MS, REDIAL_MIN_MS } from '../src/index.js';

describe('p2p redial backoff', () => {
  it('doubles from 250 ms to a 30 s ceiling, jittered down by at most half', () => {
    assert.equal(redialDelay(0, () => 1), REDIAL_MIN_MS);
    assert.equal(redialDelay(0, () => 0), REDIAL_MIN_MS / 2);
    assert.equal(redialDelay(3, () => 1), REDIAL_MIN_MS * 8);
    assert.equal(redialDelay(7, () => 1), REDIAL_MAX_MS, '250 × 128 is capped');
    assert.equal(redialDelay(10_000, () => 1), REDIAL_MAX_MS);
    for (let attempt = 0; attempt < 20; attempt++) {
      const d = redialDelay(attempt);
      const ceiling = Math.min(REDIAL_MAX_MS, REDIAL_MIN_MS * 2 ** attempt);
      assert.ok(d >= ceiling / 2 && d <= ceiling, `attempt ${attempt}: ${d} ms`);
    }
  });
});

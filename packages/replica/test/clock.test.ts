import assert from 'node:assert/strict';
import { compareHlc, HLC_ZERO } from '@syncline/core';
import { ReplicaClock } from '../src/clock.js';

describe('ReplicaClock', () => {
  it('starts from the initial timestamp', () => {
    assert.deepEqual(new ReplicaClock({ t: 5, c: 2 }, () => 1).current, { t: 5, c: 2 });
    assert.deepEqual(new ReplicaClock().current, HLC_ZERO);
  });

  it('ticks to the wall clock, and counts up when the wall clock stalls or goes back', () => {
    let now = 1000;
    const clock = new ReplicaClock(HLC_ZERO, () => now);
    assert.deepEqual(clock.tick(), { t: 1000, c: 0 });
    assert.deepEqual(clock.tick(), { t: 1000, c: 1 });
    now = 900;
    assert.deepEqual(clock.tick(), { t: 1000, c: 2 });
    now = 2000;
    assert.deepEqual(clock.tick(), { t: 2000, c: 0 });
    assert.deepEqual(clock.current, { t: 2000, c: 0 });
  });

  it('orders local changes after a remote timestamp it observed', () => {
    const clock = new ReplicaClock(HLC_ZERO, () => 1000);
    const remote = { t: 5000, c: 7 };
    clock.observe(remote);
    assert.ok(compareHlc(clock.current, remote) > 0);
    const next = clock.tick();
    assert.ok(compareHlc(next, remote) > 0);
    assert.equal(next.t, 5000);
  });

  it('never goes back when observing an older remote timestamp', () => {
    const clock = new ReplicaClock({ t: 3000, c: 0 }, () => 1000);
    const before = clock.current;
    clock.observe({ t: 10, c: 0 });
    assert.ok(compareHlc(clock.current, before) > 0);
  });
});

import assert from 'node:assert/strict';
import '../src/index.js';

describe('p2p polyfills', () => {
  it('provides Promise.withResolvers (native on Node 22+, polyfilled on Node 20)', async () => {
    const withResolvers = (Promise as unknown as { withResolvers: <T>() => { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } }).withResolvers;
    assert.equal(typeof withResolvers, 'function');
    const ok = withResolvers.call(Promise) as { promise: Promise<number>; resolve: (v: number) => void };
    ok.resolve(42);
    assert.equal(await ok.promise, 42);
    const bad = withResolvers.call(Promise) as { promise: Promise<number>; reject: (e: unknown) => void };
    bad.reject(new Error('no'));
    await assert.rejects(bad.promise, /no/);
  });
});

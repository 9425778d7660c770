import type { Libp2p } from '@libp2p/interface';

/**
 * libp2p 3.3's address manager reacts to its listeners closing with a 1 s debounced peer-store
 * update that nothing cancels: a timer outliving stop(). Cancel it (internal field, guarded, so
 * a libp2p without the quirk is unaffected; node.test.ts checks that no timer is left).
 */
export function cancelAddressManagerDebounce(libp2p: Libp2p): void {
  const internals = libp2p as unknown as { components?: { addressManager?: { _updatePeerStoreAddresses?: { stop?: unknown } } } };
  const debounced = internals.components?.addressManager?._updatePeerStoreAddresses;
  if (typeof debounced?.stop === 'function') (debounced.stop as () => void).call(debounced);
}

/**
 * What libp2p leaves settling when stop() resolves: a closed server or socket emits 'close'
 * before libuv releases its handle (the loop's close phase, after the next check phase), and
 * its job queues emit 'idle' through 1 ms debounce timers. Let both run out, so stop()
 * resolves with no socket and no timer of this node left.
 */
export async function closeCallbacksRun(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

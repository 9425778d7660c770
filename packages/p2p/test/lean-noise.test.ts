import assert from 'node:assert/strict';
import { Uint8ArrayList } from 'uint8arraylist';
import { leanDecrypt, releaseOnceEncrypted, withLeanCrypto, type EncryptedStreamInternals } from '../src/lean-noise.js';

/** A stand-in for noise's EncryptedMessageStream whose "cipher" drops the 16-byte tag and records its calls. */
function fakeStream(): EncryptedStreamInternals & { calls: { ciphertext: Uint8Array; dst: Uint8Array | undefined }[] } {
  const calls: { ciphertext: Uint8Array; dst: Uint8Array | undefined }[] = [];
  return {
    calls,
    handshake: {
      decrypt(ciphertext, dst) {
        const bytes = ciphertext instanceof Uint8Array ? ciphertext : ciphertext.subarray();
        calls.push({ ciphertext: bytes, dst });
        return bytes.slice(0, bytes.byteLength - 16);
      },
    },
    decrypt: () => assert.fail('the original decrypt is not called'),
    encrypt: (chunk) => new Uint8ArrayList(chunk),
  };
}

describe('leanNoise', () => {
  it('replaces decrypt only on a secured connection shaped like noise 17 EncryptedMessageStream', () => {
    const stream = fakeStream();
    withLeanCrypto({ connection: stream });
    assert.equal(stream.decrypt, leanDecrypt);
    const other = { decrypt: () => undefined };
    const original = other.decrypt;
    withLeanCrypto({ connection: other });
    assert.equal(other.decrypt, original);
  });

  it('decrypts each Noise message of a received run, without copying them for an output buffer', () => {
    const stream = fakeStream();
    const big = new Uint8Array(65535).map((_, i) => i % 251);
    const small = new Uint8Array(100).fill(9);
    // As noise's length-prefixed decoder delivers: a list, here split inside the first message.
    const list = new Uint8ArrayList(big.subarray(0, 1000), big.subarray(1000), small);
    const out = leanDecrypt.call(stream, list);
    assert.ok(Buffer.from(out.subarray()).equals(Buffer.concat([big.subarray(0, 65535 - 16), small.subarray(0, 100 - 16)])));
    assert.deepEqual(
      stream.calls.map((c) => [c.ciphertext.byteLength, c.dst]),
      [
        [65535, undefined],
        [100, undefined],
      ],
    );
    // A small message in one buffer may be decrypted in place by the wasm cipher.
    stream.calls.length = 0;
    leanDecrypt.call(stream, Uint8Array.from(small));
    assert.equal(stream.calls[0]!.dst!.byteLength, 100 - 16);
    assert.throws(() => leanDecrypt.call(stream, new Uint8Array(10)), /Invalid chunk/);
  });

  it('gives lent plaintext back once all of it went through encrypt, not before', async () => {
    const stream = fakeStream();
    withLeanCrypto({ connection: stream });
    const served = new Uint8Array(300_000);
    const chunks = [served.subarray(0, 100_000), served.subarray(100_000)];
    const header = new Uint8Array(20);
    let released = 0;
    releaseOnceEncrypted([header, chunks[0]!, new Uint8Array(5), chunks[1]!], { views: chunks, release: () => released++ });
    // As yamux and noise cut it: any pieces, in order, with other bytes between them.
    const all = new Uint8ArrayList(header, chunks[0]!, new Uint8Array(5), chunks[1]!);
    for (let at = 0; at < all.byteLength; at += 65_519) {
      assert.equal(released, 0);
      stream.encrypt(all.sublist(at, Math.min(at + 65_519, all.byteLength)));
      await Promise.resolve();
    }
    assert.equal(released, 1);
    stream.encrypt(new Uint8ArrayList(served));
    await Promise.resolve();
    assert.equal(released, 1, 'released once');

    let copied = 0;
    releaseOnceEncrypted([new Uint8Array(50)], { views: [new Uint8Array(new ArrayBuffer(8), 0, 8)], release: () => copied++ });
    assert.equal(copied, 1, 'views copied into the frame are released at once');
  });
});

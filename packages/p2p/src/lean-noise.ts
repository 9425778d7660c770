import { noise } from '@chainsafe/libp2p-noise';
import { Uint8ArrayList } from 'uint8arraylist';

type NoiseFactory = ReturnType<typeof noise>;
type NoiseEncrypter = ReturnType<NoiseFactory>;

/** A Noise transport message: at most 65535 bytes, the last 16 of them the ChaCha20-Poly1305 tag. */
const NOISE_MESSAGE_MAX_BYTES = 65535;
const TAG_BYTES = 16;
/**
 * Below this size @chainsafe/libp2p-noise decrypts with its wasm ChaCha20-Poly1305, which can
 * write the plaintext into a given buffer; above it with node:crypto, which ignores that buffer.
 */
const WASM_BELOW_BYTES = 1200;

/** What EncryptedMessageStream (@chainsafe/libp2p-noise 17, utils.js) uses to decrypt. */
export interface EncryptedStreamInternals {
  handshake: { decrypt(ciphertext: Uint8Array | Uint8ArrayList, dst?: Uint8Array): Uint8Array | Uint8ArrayList };
  metrics?: { decryptedPackets: { increment(): void }; decryptErrors: { increment(): void } };
  decrypt(chunk: Uint8Array | Uint8ArrayList): Uint8ArrayList;
  encrypt(chunk: Uint8Array | Uint8ArrayList): Uint8ArrayList;
}

/**
 * libp2p's Noise, decrypting without a wasted copy. @chainsafe/libp2p-noise 17 hands each received
 * message to the cipher together with `chunk.subarray(…)` as an output buffer; the message is always
 * a Uint8ArrayList (its length-prefixed decoder yields sublists), so that subarray() copies the
 * whole message into a new buffer, which node:crypto then ignores: one copy and one allocation of
 * every byte received (a tenth of a receiving daemon's CPU, and garbage-collector pressure).
 * The secured connection's `decrypt` is replaced by the same loop without that copy; the wire
 * format, the cipher calls and their checks are unchanged. Its `encrypt` is wrapped to tell
 * releaseOnceEncrypted() which plaintext has been encrypted. A Noise whose secured connection
 * does not look like the one described above is left as it is.
 */
export function leanNoise(...init: Parameters<typeof noise>): NoiseFactory {
  const factory = noise(...init);
  return (components) => {
    const encrypter: NoiseEncrypter = factory(components);
    const secureInbound = encrypter.secureInbound.bind(encrypter);
    const secureOutbound = encrypter.secureOutbound.bind(encrypter);
    encrypter.secureInbound = async (...args) => withLeanCrypto(await secureInbound(...args));
    encrypter.secureOutbound = async (...args) => withLeanCrypto(await secureOutbound(...args));
    return encrypter;
  };
}

export function withLeanCrypto<T extends { connection: unknown }>(secured: T): T {
  const stream = secured.connection as Partial<EncryptedStreamInternals> | null;
  if (stream && typeof stream.decrypt === 'function' && typeof stream.encrypt === 'function' && typeof stream.handshake?.decrypt === 'function') {
    stream.decrypt = leanDecrypt;
    const encrypt = stream.encrypt;
    stream.encrypt = function (this: EncryptedStreamInternals, chunk: Uint8Array | Uint8ArrayList): Uint8ArrayList {
      const ciphertext = encrypt.call(this, chunk);
      noteEncrypted(chunk);
      return ciphertext;
    };
  }
  return secured;
}

/** Plaintext lent by releaseOnceEncrypted(), by the buffer it lies in. */
const lentPlaintext = new WeakMap<ArrayBufferLike, Lent>();

interface Lent {
  /** Bytes not encrypted yet. */
  bytes: number;
  readonly buffers: readonly ArrayBufferLike[];
  readonly release: () => void;
}

/**
 * Calls `lent.release` once every byte of `parts` (one frame, about to be sent) that lies in the
 * buffers of `lent.views` has been encrypted by a leanNoise connection: the plaintext is then
 * read no more (the layers above the encryption only queue references to it). If the frame holds
 * none of them (they were copied into it), at once. Never, if the bytes are not all encrypted (a
 * connection reset, another encrypter) or if one of those buffers is already lent: the buffers are
 * then left to the garbage collector.
 */
export function releaseOnceEncrypted(parts: readonly Uint8Array[], lent: { readonly views: Iterable<Uint8Array>; readonly release: () => void }): void {
  const buffers = new Set<ArrayBufferLike>();
  for (const view of lent.views) buffers.add(view.buffer);
  let bytes = 0;
  for (const part of parts) if (buffers.has(part.buffer)) bytes += part.byteLength;
  if (bytes === 0) {
    lent.release();
    return;
  }
  if ([...buffers].some((b) => lentPlaintext.has(b))) return;
  const entry: Lent = { bytes, buffers: [...buffers], release: lent.release };
  for (const b of buffers) lentPlaintext.set(b, entry);
}

function noteEncrypted(chunk: Uint8Array | Uint8ArrayList): void {
  for (const piece of chunk instanceof Uint8Array ? [chunk] : chunk) {
    const entry = lentPlaintext.get(piece.buffer);
    if (entry === undefined) continue;
    entry.bytes -= piece.byteLength;
    if (entry.bytes > 0) continue;
    for (const b of entry.buffers) lentPlaintext.delete(b);
    queueMicrotask(entry.release);
  }
}

/** EncryptedMessageStream.decrypt of @chainsafe/libp2p-noise 17, minus the copy for the output buffer. */
export function leanDecrypt(this: EncryptedStreamInternals, chunk: Uint8Array | Uint8ArrayList): Uint8ArrayList {
  const output = new Uint8ArrayList();
  for (let i = 0; i < chunk.byteLength; i += NOISE_MESSAGE_MAX_BYTES) {
    const end = Math.min(i + NOISE_MESSAGE_MAX_BYTES, chunk.byteLength);
    if (end - TAG_BYTES < i) throw new Error('Invalid chunk');
    const encrypted = chunk instanceof Uint8Array ? chunk.subarray(i, end) : chunk.sublist(i, end);
    // Decrypting in place is safe (ChaCha20 reads each byte before writing it) and saves an
    // allocation where the cipher can use it: a small message that lies in one buffer.
    const dst = encrypted instanceof Uint8Array && encrypted.byteLength < WASM_BELOW_BYTES ? encrypted.subarray(0, encrypted.byteLength - TAG_BYTES) : undefined;
    try {
      output.append(this.handshake.decrypt(encrypted, dst));
      this.metrics?.decryptedPackets.increment();
    } catch (err) {
      this.metrics?.decryptErrors.increment();
      throw err;
    }
  }
  return output;
}


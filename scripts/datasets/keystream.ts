import { createCipheriv, createHash } from 'node:crypto';

const ZERO_BLOCK = Buffer.alloc(4 << 20);

/**
 * Deterministic incompressible bytes: an AES-256-CTR keystream whose key is
 * derived from a seed. Runs at several hundred MB/s to GB/s (AES-NI), so the
 * 1 GB "large" dataset takes seconds to create, not minutes.
 */
export class Keystream {
  private readonly cipher: ReturnType<typeof createCipheriv>;

  constructor(seed: string) {
    const key = createHash('sha256').update(`keystream:${seed}`).digest();
    this.cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  }

  /** The next `length` bytes of the stream (a fresh buffer). */
  take(length: number): Buffer {
    if (length <= ZERO_BLOCK.length) return this.cipher.update(ZERO_BLOCK.subarray(0, length));
    const parts: Buffer[] = [];
    for (let left = length; left > 0; left -= ZERO_BLOCK.length) {
      parts.push(this.cipher.update(ZERO_BLOCK.subarray(0, Math.min(left, ZERO_BLOCK.length))));
    }
    return Buffer.concat(parts, length);
  }

  /** Largest block `take` returns without concatenating; big files are written in blocks of this size. */
  static readonly BLOCK_SIZE = ZERO_BLOCK.length;
}

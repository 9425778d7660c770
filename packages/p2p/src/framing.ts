import { Packr, RESERVE_START_SPACE, Unpackr } from 'msgpackr';
import { ProtocolError } from '@syncline/engine';
import { FrameTooLargeError } from './errors.js';
import { toPlainData } from './plain-data.js';

/**
 * Frames on every Syncline stream: a 4-byte big-endian unsigned length, then that many bytes
 * of one msgpack value. The largest engine message is a chunk reply: up to 8.5 MiB for a large
 * file, up to ~17.5 MiB for a batch of small files (the replica batches 16 MiB plus one file).
 */
export const FRAME_HEADER_BYTES = 4;
export const MAX_FRAME_BYTES = 32 * 1024 * 1024;

const MSGPACK_OPTIONS = { useRecords: false, structuredClone: false, mapsAsObjects: true } as const;
const packr = new Packr(MSGPACK_OPTIONS);
const unpackr = new Unpackr(MSGPACK_OPTIONS);

/** Messages estimated above this size are packed into a fresh buffer of the right size. */
const FRESH_BUFFER_ABOVE = 64 * 1024;

/**
 * One frame, header and payload in one buffer. msgpackr reserves the 4 header bytes in front
 * of the payload, and a large message (a chunk reply) is packed into a buffer sized from an
 * estimate: packing it into msgpackr's shared buffer would grow that buffer by copying, several
 * times per message, which cost more CPU than the encryption of the same bytes.
 */
export function encodeFrame(message: unknown, limit = MAX_FRAME_BYTES): Uint8Array {
  const estimate = estimatePackedSize(message, 0);
  if (estimate > FRESH_BUFFER_ABOVE) packr.useBuffer(Buffer.allocUnsafeSlow(FRAME_HEADER_BYTES + estimate + 64));
  const frame = packr.pack(message, RESERVE_START_SPACE | FRAME_HEADER_BYTES);
  const length = frame.byteLength - FRAME_HEADER_BYTES;
  if (length > limit) throw new FrameTooLargeError(length, limit);
  frame.writeUInt32BE(length, 0);
  return frame;
}

/** An upper bound of the msgpack size of a plain-data message (close for byte-heavy ones). */
function estimatePackedSize(value: unknown, depth: number): number {
  if (depth > 64) return 0;
  if (typeof value === 'string') return 5 + 3 * value.length;
  if (typeof value !== 'object' || value === null) return 9;
  if (value instanceof Uint8Array) return 5 + value.byteLength;
  let size = 5;
  if (Array.isArray(value)) {
    for (const item of value) size += estimatePackedSize(item, depth + 1);
    return size;
  }
  for (const [key, item] of Object.entries(value)) size += 5 + 3 * key.length + estimatePackedSize(item, depth + 1);
  return size;
}

/** Decodes one frame's payload into plain data; anything else is a ProtocolError. */
export function decodeFramePayload(payload: Uint8Array): unknown {
  let value: unknown;
  try {
    value = unpackr.unpack(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
  } catch (err) {
    throw new ProtocolError(`a frame is not valid msgpack (${err instanceof Error ? err.message : String(err)})`.slice(0, 300));
  }
  return toPlainData(value);
}

/**
 * Received bytes not yet consumed, kept as the chunks the stream delivered: a frame that
 * lies within one chunk is handed out without copying.
 */
export class FrameBuffer {
  private chunks: Uint8Array[] = [];
  private offset = 0;
  private bytes = 0;

  get byteLength(): number {
    return this.bytes;
  }

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.byteLength;
  }

  clear(): void {
    this.chunks = [];
    this.offset = 0;
    this.bytes = 0;
  }

  /**
   * The next complete frame's payload, or undefined while more bytes are needed. A length
   * prefix above `limit` is a ProtocolError as soon as its 4 bytes are here.
   */
  nextFrame(limit: number): Uint8Array | undefined {
    if (this.bytes < FRAME_HEADER_BYTES) return undefined;
    const header = this.peek(FRAME_HEADER_BYTES);
    const length = new DataView(header.buffer, header.byteOffset, FRAME_HEADER_BYTES).getUint32(0);
    if (length > limit) throw new ProtocolError(`a frame announces ${length} bytes, more than the limit of ${limit}`);
    if (this.bytes < FRAME_HEADER_BYTES + length) return undefined;
    this.consume(FRAME_HEADER_BYTES);
    const payload = this.peek(length);
    this.consume(length);
    return payload;
  }

  /** The first `n` buffered bytes (n ≤ byteLength), a view when they lie in one chunk. */
  private peek(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.byteLength - this.offset >= n) return first.subarray(this.offset, this.offset + n);
    const out = new Uint8Array(n);
    let filled = 0;
    let offset = this.offset;
    for (const chunk of this.chunks) {
      const take = Math.min(n - filled, chunk.byteLength - offset);
      out.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset = 0;
      if (filled === n) break;
    }
    return out;
  }

  private consume(n: number): void {
    this.bytes -= n;
    while (n > 0) {
      const first = this.chunks[0]!;
      const left = first.byteLength - this.offset;
      if (n < left) {
        this.offset += n;
        return;
      }
      n -= left;
      this.chunks.shift();
      this.offset = 0;
    }
  }
}

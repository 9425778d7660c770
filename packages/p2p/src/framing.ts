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
  return packWhole(message, survey(message, 0, undefined), limit);
}

function packWhole(message: unknown, estimate: number, limit: number): Uint8Array {
  if (estimate > FRESH_BUFFER_ABOVE) packr.useBuffer(Buffer.allocUnsafeSlow(FRAME_HEADER_BYTES + estimate + 64));
  const frame = packr.pack(message, RESERVE_START_SPACE | FRAME_HEADER_BYTES);
  const length = frame.byteLength - FRAME_HEADER_BYTES;
  if (length > limit) throw new FrameTooLargeError(length, limit);
  frame.writeUInt32BE(length, 0);
  return frame;
}

/** Byte strings at least this long are not copied into a frame: they travel as parts of their own. */
export const BY_REFERENCE_MIN_BYTES = 4 * 1024;

/**
 * One frame as a list of parts whose concatenation decodes exactly like `encodeFrame(message)`
 * (the same msgpack value, read by the same unpacker): byte strings of at least
 * BY_REFERENCE_MIN_BYTES are parts of their own, by reference, and everything between them is
 * packed by msgpackr into small parts. A chunk reply (8–17 MiB of chunk data) is then sent
 * without a copy of its bytes into a frame buffer: the encryption reads them where they are.
 * A message without such byte strings is one part, as encodeFrame packs it.
 */
export function encodeFrameParts(message: unknown, limit = MAX_FRAME_BYTES): Uint8Array[] {
  const holders = new Set<object>();
  const estimate = survey(message, 0, holders);
  if (!travelsByReference(message, holders)) return [packWhole(message, estimate, limit)];
  const writer = new PartsWriter();
  writer.reserve(FRAME_HEADER_BYTES);
  writeParts(message, holders, writer);
  const parts = writer.finish();
  let length = -FRAME_HEADER_BYTES;
  for (const part of parts) length += part.byteLength;
  if (length > limit) throw new FrameTooLargeError(length, limit);
  new DataView(parts[0]!.buffer, parts[0]!.byteOffset, FRAME_HEADER_BYTES).setUint32(0, length);
  return parts;
}

/**
 * One walk over a message: an upper bound of its msgpack size (close for byte-heavy ones), and,
 * when `holders` is given, every plain array or object that holds (at any depth) a byte string
 * that travels by reference. Anything deeper than 32 levels or not plain is left to msgpackr whole.
 */
function survey(value: unknown, depth: number, holders: Set<object> | undefined): number {
  if (depth > 64) return 0;
  if (typeof value === 'string') return 5 + 3 * value.length;
  if (typeof value !== 'object' || value === null) return 9;
  if (value instanceof Uint8Array) return 5 + value.byteLength;
  let size = 5;
  let holds = false;
  if (Array.isArray(value)) {
    for (const item of value) {
      size += survey(item, depth + 1, holders);
      if (holders !== undefined && !holds) holds = travelsByReference(item, holders);
    }
  } else {
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      size += 5 + 3 * key.length + survey(item, depth + 1, holders);
      if (holders !== undefined && !holds) holds = travelsByReference(item, holders);
    }
  }
  if (holds && depth <= 32 && isPlainContainer(value)) holders!.add(value);
  return size;
}

/** A large plain byte string, or a container that holds one. */
function travelsByReference(value: unknown, holders: ReadonlySet<object>): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof Uint8Array) return value.byteLength >= BY_REFERENCE_MIN_BYTES && isPlainBytes(value);
  return holders.has(value);
}

function isPlainBytes(value: Uint8Array): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Uint8Array.prototype || proto === Buffer.prototype;
}

function isPlainContainer(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Array.prototype || proto === Object.prototype || proto === null;
}

function writeParts(value: unknown, holders: ReadonlySet<object>, writer: PartsWriter): void {
  if (value instanceof Uint8Array && value.byteLength >= BY_REFERENCE_MIN_BYTES && isPlainBytes(value)) {
    writer.binHeader(value.byteLength);
    writer.reference(value);
  } else if (typeof value !== 'object' || value === null || !holders.has(value)) {
    writer.copy(packr.pack(value));
  } else if (Array.isArray(value)) {
    writer.containerHeader(0x90, 0xdc, value.length);
    for (const item of value) writeParts(item, holders, writer);
  } else {
    const keys = Object.keys(value);
    writer.containerHeader(0x80, 0xde, keys.length);
    for (const key of keys) {
      writer.copy(packr.pack(key));
      writeParts((value as Record<string, unknown>)[key], holders, writer);
    }
  }
}

/** Small bytes accumulate in a scratch buffer; a referenced part closes the current small part. */
class PartsWriter {
  private readonly parts: Uint8Array[] = [];
  private scratch = Buffer.allocUnsafe(4096);
  private start = 0;
  private position = 0;

  reserve(n: number): void {
    this.ensure(n);
    this.position += n;
  }

  copy(bytes: Uint8Array): void {
    this.ensure(bytes.byteLength);
    this.scratch.set(bytes, this.position);
    this.position += bytes.byteLength;
  }

  /** fixarray/fixmap below 16 entries, else the 16- or 32-bit form (`code16 + 1`). */
  containerHeader(fixCode: number, code16: number, count: number): void {
    this.ensure(5);
    if (count < 16) this.scratch[this.position++] = fixCode | count;
    else if (count < 0x10000) {
      this.scratch[this.position++] = code16;
      this.scratch.writeUInt16BE(count, this.position);
      this.position += 2;
    } else {
      this.scratch[this.position++] = code16 + 1;
      this.scratch.writeUInt32BE(count, this.position);
      this.position += 4;
    }
  }

  /** bin 16 or bin 32 (by-reference byte strings are at least 4 KiB). */
  binHeader(length: number): void {
    this.ensure(5);
    if (length < 0x10000) {
      this.scratch[this.position++] = 0xc5;
      this.scratch.writeUInt16BE(length, this.position);
      this.position += 2;
    } else {
      this.scratch[this.position++] = 0xc6;
      this.scratch.writeUInt32BE(length, this.position);
      this.position += 4;
    }
  }

  reference(bytes: Uint8Array): void {
    this.closeSmall();
    this.parts.push(bytes);
  }

  finish(): Uint8Array[] {
    this.closeSmall();
    return this.parts;
  }

  private closeSmall(): void {
    if (this.position > this.start) this.parts.push(this.scratch.subarray(this.start, this.position));
    this.start = this.position;
  }

  /** Room for n more bytes; earlier small parts keep pointing at the old scratch buffer, which is never written again. */
  private ensure(n: number): void {
    if (this.position + n <= this.scratch.byteLength) return;
    const pending = this.scratch.subarray(this.start, this.position);
    const next = Buffer.allocUnsafe(Math.max(2 * this.scratch.byteLength, pending.byteLength + n + 4096));
    next.set(pending, 0);
    this.scratch = next;
    this.position = pending.byteLength;
    this.start = 0;
  }
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

/** A frame above this size that has not fully arrived is assembled as its pieces arrive. */
const ASSEMBLE_ABOVE = 64 * 1024;

/**
 * Received bytes not yet consumed, kept as the chunks the stream delivered: a frame that
 * lies within one chunk is handed out without copying. A larger frame that is still arriving
 * when it is asked for is assembled piece by piece into its own buffer, so that the pieces
 * die young and a frame is held once, not twice (pieces plus the assembled copy).
 */
export class FrameBuffer {
  /** Where payloads of large frames come from; give them back through it once read (release()). */
  readonly payloads = new PayloadPool();
  private chunks: Uint8Array[] = [];
  private offset = 0;
  private bytes = 0;
  /** The frame being assembled (its header consumed); `chunks` is empty while it is incomplete. */
  private partial: { payload: Uint8Array; filled: number } | undefined;

  get byteLength(): number {
    return this.bytes + (this.partial === undefined ? 0 : FRAME_HEADER_BYTES + this.partial.filled);
  }

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    const partial = this.partial;
    if (partial !== undefined && partial.filled < partial.payload.byteLength) {
      const take = Math.min(chunk.byteLength, partial.payload.byteLength - partial.filled);
      partial.payload.set(take === chunk.byteLength ? chunk : chunk.subarray(0, take), partial.filled);
      partial.filled += take;
      if (take === chunk.byteLength) return;
      chunk = chunk.subarray(take);
    }
    this.chunks.push(chunk);
    this.bytes += chunk.byteLength;
  }

  clear(): void {
    this.chunks = [];
    this.offset = 0;
    this.bytes = 0;
    this.partial = undefined;
    this.payloads.clear();
  }

  /**
   * The next complete frame's payload, or undefined while more bytes are needed. A length
   * prefix above `limit` is a ProtocolError as soon as its 4 bytes are here.
   */
  nextFrame(limit: number): Uint8Array | undefined {
    const partial = this.partial;
    if (partial !== undefined) {
      if (partial.filled < partial.payload.byteLength) return undefined;
      this.partial = undefined;
      return partial.payload;
    }
    if (this.bytes < FRAME_HEADER_BYTES) return undefined;
    const header = this.peek(FRAME_HEADER_BYTES);
    const length = new DataView(header.buffer, header.byteOffset, FRAME_HEADER_BYTES).getUint32(0);
    if (length > limit) throw new ProtocolError(`a frame announces ${length} bytes, more than the limit of ${limit}`);
    if (this.bytes < FRAME_HEADER_BYTES + length) {
      if (length > ASSEMBLE_ABOVE) {
        this.consume(FRAME_HEADER_BYTES);
        const payload = this.payloads.take(length);
        let filled = 0;
        for (const [index, chunk] of this.chunks.entries()) {
          const piece = index === 0 ? chunk.subarray(this.offset) : chunk;
          payload.set(piece, filled);
          filled += piece.byteLength;
        }
        this.chunks = [];
        this.offset = 0;
        this.bytes = 0;
        this.partial = { payload, filled };
      }
      return undefined;
    }
    this.consume(FRAME_HEADER_BYTES);
    const payload = this.peek(length);
    this.consume(length);
    return payload;
  }

  /** The first `n` buffered bytes (n ≤ byteLength), a view when they lie in one chunk. */
  private peek(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.byteLength - this.offset >= n) return first.subarray(this.offset, this.offset + n);
    const out = uninitialized(n);
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

/** Every byte is written before it is read: no need to zero the memory first. */
function uninitialized(n: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/** Frames at least this big (chunk replies) are assembled in pooled buffers. */
const POOLED_MIN_BYTES = 1024 * 1024;
/** Pooled buffers come in whole multiples of this, so that one fits the next frames of about its size. */
const POOL_GRAIN_BYTES = 1024 * 1024;
/** At most this much memory is kept for reuse: a few chunk replies (8–17 MiB each). */
const MAX_SPARE_BYTES = 40 * 1024 * 1024;

/**
 * Buffers for the payloads of large frames, reused once their reader gives them back. A fresh
 * buffer of several MiB is memory the process has to fault in page by page as it is written,
 * which cost about as much CPU as decrypting the same bytes; and every fresh buffer is external
 * memory that drives V8 to full garbage collections.
 */
export class PayloadPool {
  private readonly spares: ArrayBuffer[] = [];
  /** Buffers handed out and not given back yet. */
  private readonly lent = new WeakSet<ArrayBuffer>();

  /** An uninitialized buffer of `length` bytes: a spare if one fits, else a new one. */
  take(length: number): Uint8Array {
    if (length < POOLED_MIN_BYTES) return uninitialized(length);
    let best = -1;
    this.spares.forEach((b, i) => {
      if (b.byteLength >= length && (best < 0 || b.byteLength < this.spares[best]!.byteLength)) best = i;
    });
    const buffer = best >= 0 ? this.spares.splice(best, 1)[0]! : (Buffer.allocUnsafeSlow(Math.ceil(length / POOL_GRAIN_BYTES) * POOL_GRAIN_BYTES).buffer as ArrayBuffer);
    this.lent.add(buffer);
    return new Uint8Array(buffer, 0, length);
  }

  /**
   * Gives back the buffers behind these views (a payload, or byte strings decoded from it) once
   * nothing reads any view of them any more: later frames overwrite them. Views of other
   * memory, and buffers given back before, are ignored.
   */
  release(views: Iterable<Uint8Array>): void {
    for (const view of views) {
      const buffer = view.buffer as ArrayBuffer;
      if (!this.lent.has(buffer)) continue;
      this.lent.delete(buffer);
      const spareBytes = this.spares.reduce((n, b) => n + b.byteLength, 0);
      if (spareBytes + buffer.byteLength <= MAX_SPARE_BYTES) this.spares.push(buffer);
    }
  }

  /** Drops the spares (the lent buffers are not tracked for that: they die with their views). */
  clear(): void {
    this.spares.length = 0;
  }
}

import assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import { ProtocolError } from '@syncline/engine';
import { decodeFramePayload, encodeFrame, FrameBuffer, FrameTooLargeError, MAX_FRAME_BYTES, toPlainData } from '../src/index.js';
import { BY_REFERENCE_MIN_BYTES, encodeFrameParts } from '../src/framing.js';

/** One frame as a single buffer. */
function frameBytes(message: unknown): Uint8Array {
  return encodeFrame(message);
}

function rawFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.byteLength);
  new DataView(out.buffer).setUint32(0, payload.byteLength);
  out.set(payload, 4);
  return out;
}

/** msgpack of a one-entry map { key: 1 } written by hand (a packer would not emit such keys). */
function mapWithKey(key: string): Uint8Array {
  const k = Buffer.from(key, 'utf8');
  return Uint8Array.from([0x81, 0xa0 | k.length, ...k, 0x01]);
}

function rejectsAsProtocolError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ProtocolError, `expected a ProtocolError, got ${String(err)}`);
    assert.equal(err.code, 'SYNCLINE_PROTOCOL');
    assert.match(err.message, pattern);
    return true;
  });
}

describe('p2p framing', () => {
  it('round-trips engine-shaped messages, bytes as plain Uint8Array, through frames split at every byte', () => {
    const messages = [
      { t: 'hello', protocol: 1, folder: 'f', replica: 'r' },
      { t: 'chunks', id: 3, chunks: [{ hash: 'a'.repeat(64), data: new Uint8Array(200_000).fill(7) }] },
      { t: 'base', id: null, extra: undefined, n: -1.5, big: 2 ** 52 },
    ];
    const stream = Buffer.concat(messages.map(frameBytes));
    const buffer = new FrameBuffer();
    const decoded: unknown[] = [];
    for (let i = 0; i < stream.length; i += 997) {
      buffer.push(stream.subarray(i, i + 997));
      for (let payload = buffer.nextFrame(MAX_FRAME_BYTES); payload; payload = buffer.nextFrame(MAX_FRAME_BYTES)) decoded.push(decodeFramePayload(payload));
    }
    assert.equal(buffer.byteLength, 0);
    assert.deepEqual(decoded, messages);
    const data = (decoded[1] as { chunks: { data: Uint8Array }[] }).chunks[0]!.data;
    assert.equal(Object.getPrototypeOf(data), Uint8Array.prototype);
  });

  it('waits for a whole frame, and refuses a length prefix above the limit as soon as it is readable', () => {
    const buffer = new FrameBuffer();
    const frame = frameBytes({ x: 'y'.repeat(100) });
    buffer.push(frame.subarray(0, 3));
    assert.equal(buffer.nextFrame(1000), undefined);
    buffer.push(frame.subarray(3, 50));
    assert.equal(buffer.nextFrame(1000), undefined);
    buffer.push(frame.subarray(50));
    assert.deepEqual(decodeFramePayload(buffer.nextFrame(1000)!), { x: 'y'.repeat(100) });

    const oversized = new FrameBuffer();
    oversized.push(Uint8Array.from([0xff, 0xff, 0xff, 0xff]));
    rejectsAsProtocolError(() => oversized.nextFrame(MAX_FRAME_BYTES), /4294967295 bytes, more than the limit/);
    const justOver = new FrameBuffer();
    justOver.push(rawFrame(new Uint8Array(101)).subarray(0, 4));
    rejectsAsProtocolError(() => justOver.nextFrame(100), /101 bytes/);
  });

  it('refuses to encode a message above the frame limit, and sizes large frames exactly', () => {
    assert.throws(() => encodeFrame({ data: new Uint8Array(2000) }, 1000), FrameTooLargeError);
    assert.throws(() => encodeFrame({ data: new Uint8Array(200_000) }, 100_000), FrameTooLargeError);
    const big = encodeFrame({ chunks: [{ hash: 'h', data: new Uint8Array(300_000).fill(9) }, { hash: 'i', data: new Uint8Array(5) }] });
    assert.equal(new DataView(big.buffer, big.byteOffset).getUint32(0), big.byteLength - 4);
    const small = encodeFrame({ t: 'prepared' });
    assert.equal(new DataView(small.buffer, small.byteOffset).getUint32(0), small.byteLength - 4);
    assert.deepEqual(decodeFramePayload(small.subarray(4)), { t: 'prepared' });
  });

  it('rejects payloads that are not msgpack, are truncated or carry trailing bytes', () => {
    rejectsAsProtocolError(() => decodeFramePayload(Uint8Array.from([0xd9])), /not valid msgpack/);
    rejectsAsProtocolError(() => decodeFramePayload(Buffer.from('not msgpack at all')), /not valid msgpack/);
    rejectsAsProtocolError(() => decodeFramePayload(Uint8Array.from([0xc1])), /not plain data/); // the "never used" byte
    rejectsAsProtocolError(() => decodeFramePayload(new Uint8Array(0)), /not valid msgpack/);
    const whole = new Packr({ useRecords: false }).pack({ a: 'hello world' });
    rejectsAsProtocolError(() => decodeFramePayload(whole.subarray(0, whole.length - 3)), /not valid msgpack/);
    rejectsAsProtocolError(() => decodeFramePayload(Buffer.concat([whole, Uint8Array.from([1])])), /not valid msgpack/);
    rejectsAsProtocolError(() => decodeFramePayload(Uint8Array.from([0xd4, 99, 0])), /not valid msgpack/); // unknown extension
  });

  it('rejects __proto__, constructor and prototype keys at any depth, leaving Object.prototype alone', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      rejectsAsProtocolError(() => decodeFramePayload(mapWithKey(key)), /forbidden key/);
      // nested: [ { key: 1 } ]
      rejectsAsProtocolError(() => decodeFramePayload(Uint8Array.from([0x91, ...mapWithKey(key)])), /forbidden key/);
    }
    const polluting = Uint8Array.from([0x81, 0xa9, ...Buffer.from('__proto__'), 0x81, 0xa8, ...Buffer.from('polluted'), 0xc3]);
    rejectsAsProtocolError(() => decodeFramePayload(polluting), /forbidden key/);
    assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
  });

  it('rejects values that are not plain data: Date, Set, Error, RegExp, other typed arrays, bigint, deep nesting', () => {
    const rich = new Packr({ structuredClone: true, useRecords: false, moreTypes: true, useBigIntExtension: true } as ConstructorParameters<typeof Packr>[0]);
    const cases: [string, unknown][] = [
      ['Date', new Date(0)],
      ['Set', new Set([1])],
      ['Error', new Error('x')],
      ['RegExp', /x/],
      ['Float64Array', new Float64Array([1])],
      ['bigint', 2n ** 70n],
    ];
    for (const [name, value] of cases) {
      const bytes = rich.pack({ v: value });
      assert.throws(() => decodeFramePayload(bytes), (err: unknown) => err instanceof ProtocolError, `${name} must be refused`);
    }
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    rejectsAsProtocolError(() => decodeFramePayload(new Packr().pack(deep)), /nests deeper/);
    rejectsAsProtocolError(() => toPlainData({ m: new Map() }), /Map/);
    class Thing {}
    rejectsAsProtocolError(() => toPlainData([new Thing()]), /Thing/);
    assert.deepEqual(toPlainData({ a: [null, undefined, 1, 's', true, Object.create(null)] }), { a: [null, undefined, 1, 's', true, Object.create(null)] });
  });

  it('sends large byte strings by reference, as frame parts that decode exactly like one encoded buffer', () => {
    const big = (n: number, fill: number) => new Uint8Array(n).fill(fill);
    const many = Array.from({ length: 20 }, (_, i) => ({ hash: `h${i}`, data: big(BY_REFERENCE_MIN_BYTES + i, i) }));
    const messages: unknown[] = [
      { t: 'chunks', id: 7, chunks: [{ hash: 'a'.repeat(64), data: big(300_000, 1) }, { hash: 'b', data: big(5, 2) }] },
      { t: 'chunks', id: 2 ** 40, chunks: many },
      [big(BY_REFERENCE_MIN_BYTES, 3), big(BY_REFERENCE_MIN_BYTES - 1, 4), 'é∑🙂'.repeat(50), -1.5, null, undefined, true, { deep: { deeper: [big(70_000, 5)] } }],
      Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i % 3 === 0 ? big(20_000, i) : i % 3 === 1 ? undefined : `v${i}`])),
      Buffer.from(big(100_000, 6)),
      { noBigBytes: big(100, 7), n: 1 },
    ];
    for (const message of messages) {
      const parts = encodeFrameParts(message);
      const whole = Buffer.concat(parts);
      assert.equal(new DataView(whole.buffer, whole.byteOffset).getUint32(0), whole.byteLength - 4);
      assert.deepEqual(decodeFramePayload(whole.subarray(4)), decodeFramePayload(encodeFrame(message).subarray(4)));
    }
    const reply = messages[1] as { chunks: { data: Uint8Array }[] };
    const parts = encodeFrameParts(reply);
    for (const chunk of reply.chunks) assert.ok(parts.includes(chunk.data), 'a large byte string is a part of its own, not a copy');
    assert.equal(encodeFrameParts({ t: 'prepared' }).length, 1);
    assert.throws(() => encodeFrameParts({ data: big(200_000, 0) }, 100_000), FrameTooLargeError);
    assert.throws(() => encodeFrameParts({ a: big(60_000, 0), b: big(60_000, 0) }, 120_000), FrameTooLargeError);
  });

  it('assembles a large frame as its pieces arrive, at any split, with frames before and after it', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const messages = [
      { t: 'a' },
      { t: 'chunks', id: 1, chunks: [{ hash: 'x', data: new Uint8Array(500_000).map((_, i) => i % 251) }] },
      { t: 'b', s: 'y'.repeat(70_000) },
      { t: 'chunks', id: 2, chunks: [{ hash: 'z', data: new Uint8Array(90_000).fill(3) }] },
      { t: 'c' },
    ];
    const stream = Buffer.concat(messages.flatMap((m) => encodeFrameParts(m)));
    for (let round = 0; round < 30; round++) {
      const buffer = new FrameBuffer();
      const decoded: unknown[] = [];
      let received = 0;
      for (let i = 0; i < stream.length; ) {
        const n = 1 + Math.floor(random() * (round % 2 === 0 ? 5000 : 200_000));
        const piece = stream.subarray(i, i + n);
        buffer.push(piece);
        i += piece.length;
        received += piece.length;
        for (let payload = buffer.nextFrame(MAX_FRAME_BYTES); payload; payload = buffer.nextFrame(MAX_FRAME_BYTES)) {
          const value = decodeFramePayload(payload);
          received -= 4 + payload.byteLength;
          decoded.push(value);
        }
        assert.equal(buffer.byteLength, received, 'byteLength counts every received byte not yet handed out');
      }
      assert.equal(buffer.byteLength, 0);
      assert.deepEqual(decoded, messages);
    }
  });

  it('assembles large frames in pooled buffers, reused only once given back', () => {
    const buffer = new FrameBuffer();
    /** Delivers a chunk reply of 2 MiB in two pieces (so that it is assembled) and decodes it. */
    const receive = (fill: number): Uint8Array => {
      const stream = Buffer.concat(encodeFrameParts({ t: 'chunks', id: fill, chunks: [{ hash: 'h', data: new Uint8Array(2 << 20).fill(fill) }] }));
      buffer.push(stream.subarray(0, 100_000));
      assert.equal(buffer.nextFrame(MAX_FRAME_BYTES), undefined);
      buffer.push(stream.subarray(100_000));
      const payload = buffer.nextFrame(MAX_FRAME_BYTES)!;
      const data = (decodeFramePayload(payload) as { chunks: { data: Uint8Array }[] }).chunks[0]!.data;
      assert.ok(data.every((b) => b === fill));
      return data;
    };
    const first = receive(1);
    const second = receive(2);
    assert.notEqual(second.buffer, first.buffer, 'a buffer not given back is not reused');
    buffer.payloads.release([first, new Uint8Array(10), first]);
    const third = receive(3);
    assert.equal(third.buffer, first.buffer, 'a buffer given back is reused');
    const fourth = receive(4);
    assert.notEqual(fourth.buffer, first.buffer, 'a buffer given back twice is reused once');
    assert.notEqual(fourth.buffer, second.buffer);
  });
});

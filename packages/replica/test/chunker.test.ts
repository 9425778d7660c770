import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { AVG_CHUNK_SIZE, Chunker, chunkLengths, GEAR, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from '../src/chunker.js';
import { sha256Hex } from '../src/file-hash.js';
import { fastCheckSeed, seededBytes } from './helpers/seeded-bytes.js';

const MiB = 1024 * 1024;

function chunkHashes(data: Buffer): string[] {
  const hashes: string[] = [];
  let offset = 0;
  for (const length of chunkLengths(data)) {
    hashes.push(sha256Hex(data.subarray(offset, offset + length)));
    offset += length;
  }
  return hashes;
}

function lengthsByPieces(data: Buffer, splitPoints: number[]): number[] {
  const chunker = new Chunker();
  const lengths: number[] = [];
  let chunkStart = 0;
  let pieceStart = 0;
  for (const end of [...splitPoints.filter((p) => p <= data.length).sort((a, b) => a - b), data.length]) {
    for (const cut of chunker.push(data.subarray(pieceStart, end))) {
      lengths.push(pieceStart + cut - chunkStart);
      chunkStart = pieceStart + cut;
    }
    pieceStart = end;
  }
  const last = chunker.end();
  if (last > 0) lengths.push(last);
  return lengths;
}

/** Content with little entropy: runs of one byte value, so cuts come from the max size. */
function lowEntropy(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  const runs = seededBytes(seed, Math.ceil(length / 65536) + 1);
  for (let i = 0; i < length; i += 65536) out.fill(runs[i / 65536] as number, i, Math.min(length, i + 65536));
  return out;
}

describe('chunker', () => {
  it('has sizes in order and a fixed gear table (the table is part of the replica format)', () => {
    assert.ok(MIN_CHUNK_SIZE < AVG_CHUNK_SIZE && AVG_CHUNK_SIZE < MAX_CHUNK_SIZE);
    assert.equal([MIN_CHUNK_SIZE, AVG_CHUNK_SIZE, MAX_CHUNK_SIZE].join(), `${32 * 1024},${128 * 1024},${512 * 1024}`);
    assert.equal(new Set(GEAR).size, 256, 'gear values are distinct');
    const digest = createHash('sha256').update(Buffer.from(GEAR.buffer)).digest('hex');
    assert.equal(digest, GEAR_TABLE_SHA256, 'changing the gear table changes every chunk boundary');
  });

  it('cuts a fixed input at the same places as ever', () => {
    const lengths = chunkLengths(seededBytes(7, 4 * MiB));
    assert.equal(sha256Hex(lengths.join(',')), GOLDEN_LENGTHS_SHA256, `lengths now ${lengths.join(',')}`);
  });

  const seed = fastCheckSeed();
  it(`gives the same boundaries however the input is split into buffers (fast-check seed ${seed})`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0x7fffffff }),
        fc.integer({ min: 0, max: 2 * MiB }),
        fc.constantFrom('random', 'low-entropy'),
        fc.array(fc.integer({ min: 0, max: 2 * MiB }), { maxLength: 40 }),
        (contentSeed, length, kind, splits) => {
          const data = kind === 'random' ? seededBytes(contentSeed, length) : lowEntropy(contentSeed, length);
          const whole = chunkLengths(data);
          assert.deepEqual(lengthsByPieces(data, splits), whole);
          assert.equal(whole.reduce((a, b) => a + b, 0), length);
        },
      ),
      { seed, numRuns: 40 },
    );
  });

  it('feeds byte by byte across a boundary like one buffer', () => {
    const data = seededBytes(11, 600 * 1024);
    const everyByteNearStart = Array.from({ length: 2000 }, (_, i) => MIN_CHUNK_SIZE - 1000 + i);
    assert.deepEqual(lengthsByPieces(data, everyByteNearStart), chunkLengths(data));
  });

  it('keeps every chunk within the minimum and maximum size', () => {
    for (const data of [seededBytes(3, 8 * MiB), lowEntropy(5, 3 * MiB), Buffer.alloc(2 * MiB)]) {
      const lengths = chunkLengths(data);
      assert.ok(lengths.length > 1);
      lengths.slice(0, -1).forEach((length) => assert.ok(length > MIN_CHUNK_SIZE && length <= MAX_CHUNK_SIZE, `chunk of ${length}`));
      assert.ok((lengths.at(-1) as number) <= MAX_CHUNK_SIZE);
    }
    assert.deepEqual(chunkLengths(Buffer.alloc(2 * MiB)), [MAX_CHUNK_SIZE, MAX_CHUNK_SIZE, MAX_CHUNK_SIZE, MAX_CHUNK_SIZE]);
  });

  it('makes one chunk of anything up to the minimum size, and none of nothing', () => {
    assert.deepEqual(chunkLengths(Buffer.alloc(0)), []);
    assert.deepEqual(chunkLengths(seededBytes(1, 1)), [1]);
    assert.deepEqual(chunkLengths(seededBytes(1, MIN_CHUNK_SIZE)), [MIN_CHUNK_SIZE]);
  });

  it('averages near the nominal size on random data', () => {
    const lengths = chunkLengths(seededBytes(9, 16 * MiB));
    const mean = (16 * MiB) / lengths.length;
    assert.ok(mean > AVG_CHUNK_SIZE * 0.8 && mean < AVG_CHUNK_SIZE * 1.4, `mean ${mean}`);
  });

  it('changes at most 2 chunks when one byte is inserted near the start of 8 MiB', () => {
    const original = seededBytes(21, 8 * MiB);
    const before = chunkHashes(original);
    for (const at of [0, 100, 5000, MIN_CHUNK_SIZE + 77]) {
      const edited = Buffer.concat([original.subarray(0, at), Buffer.from([0x42]), original.subarray(at)]);
      const known = new Set(before);
      const fresh = chunkHashes(edited).filter((h) => !known.has(h));
      assert.ok(fresh.length >= 1 && fresh.length <= 2, `insert at ${at}: ${fresh.length} new chunks of ${before.length}`);
    }
  });

  it('shares the chunks of a file copied into the middle of another', () => {
    const inner = seededBytes(31, 4 * MiB);
    const outer = Buffer.concat([seededBytes(32, 700 * 1024), inner, seededBytes(33, 500 * 1024)]);
    const innerChunks = chunkHashes(inner);
    const outerChunks = new Set(chunkHashes(outer));
    const shared = innerChunks.filter((h) => outerChunks.has(h)).length;
    assert.ok(innerChunks.length >= 20, `${innerChunks.length} chunks`);
    // Lost at most: the first chunk (it starts mid-chunk in the outer file), one more while the
    // boundaries fall back in step, and the last (it ends at end of file, not at a content cut).
    assert.ok(shared >= innerChunks.length - 3, `${shared} of ${innerChunks.length} chunks shared`);
  });
});

const GEAR_TABLE_SHA256 = '1105d8e99e746d6a216910e98188037e25c200301fa9a3de6b77f480afc9f2d5';
const GOLDEN_LENGTHS_SHA256 = '033661bdda0874f8d3744334519508d9ddeb0a16a8583a24f371532d5b01dfd5';

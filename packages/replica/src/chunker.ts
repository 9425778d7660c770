/**
 * Content-defined chunking, FastCDC-style: a gear rolling hash, cut-point
 * skipping up to the minimum size, and normalized chunking (a stricter mask
 * below the average size, a looser one above it) so chunk sizes cluster
 * around the average. Boundaries depend only on the content, never on how
 * it was split into buffers, so an edit moves at most the chunks around it.
 *
 * The gear table, masks and sizes are part of the replica format: replicas
 * that chunk differently still sync correctly, but share fewer chunks.
 */

export const MIN_CHUNK_SIZE = 32 * 1024;
export const AVG_CHUNK_SIZE = 128 * 1024;
export const MAX_CHUNK_SIZE = 512 * 1024;

/**
 * Normalization level 2 (FastCDC paper): log2(avg) ± 2 mask bits. The masks take
 * the top bits of the 32-bit hash, because with `h << 1` bit k only depends on
 * the last k + 1 bytes; the top bits see the whole 32-byte window.
 */
const AVG_BITS = Math.log2(AVG_CHUNK_SIZE);
const MASK_SMALL = topBitsMask(AVG_BITS + 2);
const MASK_LARGE = topBitsMask(AVG_BITS - 2);

function topBitsMask(bits: number): number {
  return (0xffffffff << (32 - bits)) | 0;
}

/** 256 pseudo-random 32-bit values from a fixed seed (mulberry32), identical on every replica. */
export const GEAR: Int32Array = (() => {
  const table = new Int32Array(256);
  let state = 0x53594e43; // "SYNC"
  for (let i = 0; i < 256; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    table[i] = t ^ (t >>> 14);
  }
  return table;
})();

/**
 * A streaming chunker. Feed buffers of any size with `push`; it returns where
 * chunks end inside that buffer. `end` closes the stream and gives the length
 * of the last chunk.
 */
export class Chunker {
  /** Bytes of the current chunk seen so far (in earlier buffers and this one). */
  private chunkLength = 0;
  private hash = 0;

  /** Offsets in `data` at which a chunk ends (exclusive), in increasing order. */
  push(data: Uint8Array): number[] {
    const cuts: number[] = [];
    const end = data.length;
    let pos = 0;
    let length = this.chunkLength;
    while (pos < end) {
      if (length < MIN_CHUNK_SIZE) {
        const skip = Math.min(MIN_CHUNK_SIZE - length, end - pos);
        pos += skip;
        length += skip;
        this.hash = 0;
        continue;
      }
      const belowAverage = length < AVG_CHUNK_SIZE;
      const stop = Math.min(end, pos + ((belowAverage ? AVG_CHUNK_SIZE : MAX_CHUNK_SIZE) - length));
      const cut = this.findCut(data, pos, stop, belowAverage ? MASK_SMALL : MASK_LARGE);
      const reached = cut < 0 ? stop : cut;
      length += reached - pos;
      pos = reached;
      if (cut >= 0 || length === MAX_CHUNK_SIZE) {
        cuts.push(pos);
        length = 0;
        this.hash = 0;
      }
    }
    this.chunkLength = length;
    return cuts;
  }

  /**
   * Rolls the hash over data[pos, stop) and returns the offset just after the first byte
   * where (hash & mask) is zero, or -1. Unrolled by eight: the loop is the hot spot of
   * hashing big files, and unrolling makes it about 1.6 times as fast in V8.
   */
  private findCut(data: Uint8Array, pos: number, stop: number, mask: number): number {
    const gear = GEAR;
    let hash = this.hash;
    for (const stop8 = stop - 7; pos < stop8; pos += 8) {
      hash = ((hash << 1) + (gear[data[pos] as number] as number)) | 0;
      if ((hash & mask) === 0) return this.cutAt(hash, pos + 1);
      hash = ((hash << 1) + (gear[data[pos + 1] as number] as number)) | 0;
      if ((hash & mask) === 0) return this.cutAt(hash, pos + 2);
      hash = ((hash << 1) + (gear[data[pos + 2] as number] as number)) | 0;
      if ((hash & mask) === 0) return this.cutAt(hash, pos + 3);
      hash = ((hash << 1) + (gear[data[pos + 3] as number] as number)) | 0;
      if ((hash & mask) === 0) return this.cutAt(hash, pos + 4);
      hash = ((hash << 1) + (gear[data[pos + 4] as number] as number)) | 0;
      if ((hash & mask) === 0) return this.cutAt(hash, pos + 5);
      hash = ((hash << 1) + (gear[data[pos + 5] as number] as number)) | 0;
      if ((hash & mask) === 0) return this.cutAt(hash, pos + 6);
      hash = ((hash << 1) + (gear[data[pos + 6] as number] as number)) | 0;
      if ((hash & mask) === 0) return this.cutAt(hash, pos + 7);
      hash = ((hash << 1) + (gear[data[pos + 7] as number] as number)) | 0;
      if ((hash & mask) === 0) return this.cutAt(hash, pos + 8);
    }
    for (; pos < stop; pos++) {
      hash = ((hash << 1) + (gear[data[pos] as number] as number)) | 0;
      if ((hash & mask) === 0) return this.cutAt(hash, pos + 1);
    }
    this.hash = hash;
    return -1;
  }

  private cutAt(hash: number, cut: number): number {
    this.hash = hash;
    return cut;
  }

  /** Length of the final chunk (0 when the input ended on a boundary or was empty); resets the chunker. */
  end(): number {
    const last = this.chunkLength;
    this.chunkLength = 0;
    this.hash = 0;
    return last;
  }
}

/** Chunk lengths of a whole buffer; they sum to its length. */
export function chunkLengths(data: Uint8Array): number[] {
  const chunker = new Chunker();
  const lengths: number[] = [];
  let previous = 0;
  for (const cut of chunker.push(data)) {
    lengths.push(cut - previous);
    previous = cut;
  }
  const last = chunker.end();
  if (last > 0) lengths.push(last);
  return lengths;
}

/**
 * Builders for the keys of the layout documented at the top of level-store.ts. Every key
 * is a string turned into bytes by `orderedBytes`, so LevelDB's byte order is the UTF-16
 * code-unit order of the strings (the order JavaScript's `<` uses). `\0` separates the
 * parts of composite keys; the parts before it (peer IDs, hex hashes) never contain it.
 */

import { isAscii } from 'node:buffer';

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The bytes of `s` such that byte order equals UTF-16 code-unit order: every code unit,
 * surrogates included, is written the way UTF-8 writes a BMP code point (CESU-8 style).
 * For strings without surrogates this is exactly UTF-8. It is injective, also for lone
 * surrogates, which plain UTF-8 would replace with U+FFFD.
 */
export function orderedBytes(s: string): Buffer {
  if (!SURROGATE.test(s)) return Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u < 0x80) {
      out[n++] = u;
    } else if (u < 0x800) {
      out[n++] = 0xc0 | (u >> 6);
      out[n++] = 0x80 | (u & 0x3f);
    } else {
      out[n++] = 0xe0 | (u >> 12);
      out[n++] = 0x80 | ((u >> 6) & 0x3f);
      out[n++] = 0x80 | (u & 0x3f);
    }
  }
  return out.subarray(0, n);
}

/** Inverse of orderedBytes; used only to name a key in an error message. */
export function stringFromOrderedBytes(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      s += String.fromCharCode(b);
      i += 1;
    } else if (b < 0xe0) {
      s += String.fromCharCode(((b & 0x1f) << 6) | ((bytes[i + 1] ?? 0) & 0x3f));
      i += 2;
    } else {
      s += String.fromCharCode(((b & 0x0f) << 12) | (((bytes[i + 1] ?? 0) & 0x3f) << 6) | ((bytes[i + 2] ?? 0) & 0x3f));
      i += 3;
    }
  }
  return s;
}

/** A key as it appears in error messages, e.g. "p!docs/a.txt". */
export function describeKey(key: Uint8Array): string {
  return JSON.stringify(stringFromOrderedBytes(key));
}

const SEP = '\0';
const SEQ_DIGITS = 16;

/** Bounds of a key range: gte start, lt end. */
export interface KeyRange {
  readonly gte: Buffer;
  readonly lt: Buffer;
}

/** All keys that start with `prefix` (prefix must be non-empty). */
function prefixRange(prefix: string): KeyRange {
  const last = prefix.charCodeAt(prefix.length - 1);
  return { gte: orderedBytes(prefix), lt: orderedBytes(prefix.slice(0, -1) + String.fromCharCode(last + 1)) };
}

function pad(n: number): string {
  return String(n).padStart(SEQ_DIGITS, '0');
}

export const recordKey = (path: string): Buffer => orderedBytes(`p!${path}`);
export const ALL_RECORDS: KeyRange = prefixRange('p!');
/** Paths strictly below `dir` ('dir/…'); 'dir' itself is read with recordKey. */
export const recordsBelow = (dir: string): KeyRange => prefixRange(`p!${dir}/`);

export const stampKey = (path: string): Buffer => orderedBytes(`t!${path}`);
export const ALL_STAMPS: KeyRange = prefixRange('t!');
/** Paths strictly below `dir`; 'dir' itself is read with stampKey. */
export const stampsBelow = (dir: string): KeyRange => prefixRange(`t!${dir}/`);

/** The path in a `p!` or `t!` key (both prefixes are two ASCII bytes). */
export function pathFromKey(key: Uint8Array): string {
  const bytes = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  return isAscii(bytes) ? bytes.toString('latin1', 2) : stringFromOrderedBytes(bytes.subarray(2));
}

export const seqKey = (seq: number): Buffer => orderedBytes(`s!${pad(seq)}`);
export const ALL_SEQS: KeyRange = prefixRange('s!');
export function seqFromKey(key: Uint8Array): number {
  return Number(Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1', 2));
}

export const chunkKey = (hash: string, path: string): Buffer => orderedBytes(`c!${hash}${SEP}${path}`);
export const chunkRange = (hash: string): KeyRange => prefixRange(`c!${hash}${SEP}`);
export const CHUNK_INDEX_RANGE: KeyRange = prefixRange('c!');
/** How many `c!<hash>` keys there are: lets findChunks skip absent hashes with one point read each. */
export const chunkCountKey = (hash: string): Buffer => orderedBytes(`h!${hash}`);
export const ALL_CHUNK_COUNTS: KeyRange = prefixRange('h!');

export const syncObjectKey = (peer: string, hlc: { t: number; c: number }, id: string): Buffer =>
  orderedBytes(`o!${peer}${SEP}${pad(hlc.t)}${SEP}${pad(hlc.c)}${SEP}${id}`);
export const syncObjectRange = (peer: string): KeyRange => prefixRange(`o!${peer}${SEP}`);

export const metaKey = (key: string): Buffer => orderedBytes(`m!${key}`);

export const FORMAT_KEY = orderedBytes('i!format');
export const REPLICA_ID_KEY = orderedBytes('i!replica-id');
export const LAST_SEQ_KEY = orderedBytes('i!last-seq');

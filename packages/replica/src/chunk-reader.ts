import { createHash } from 'node:crypto';
import { closeSync, constants as fsc, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { ChunkLocation, StatStamp, Store } from '@syncline/store';
import { sameStamp } from './walk.js';
import { workerPool } from './worker-pool.js';

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A chunk wanted from a replica, with where the asking side believes it lies there. */
export interface ChunkRequest {
  readonly hash: string;
  readonly path: string;
  readonly offset: number;
  readonly size: number;
}

/** A chunk to read from this replica's own files, and how to know it is still there. */
export interface ServedRange {
  readonly absPath: string;
  readonly offset: number;
  readonly size: number;
  readonly hash: string;
  /**
   * The file's stat stamp in this replica's index. A file whose fstat (taken after the
   * read) still matches it holds what the scan hashed, the same trust the scanner gives an
   * unchanged stamp; any other read is hashed.
   */
  readonly stamp: StatStamp | null;
}

/** Never follow a link swapped in at the file itself; never block opening a FIFO. */
const OPEN_FLAGS = fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK;

/**
 * Reads `size` bytes at `offset` of a regular file under root, never following a symlink at
 * the file itself; undefined when the file is missing, not regular, or too short.
 */
export function readRangeSync(root: string, rel: string, offset: number, size: number): Buffer | undefined {
  const buf = Buffer.allocUnsafe(size);
  return readRangeInto(path.join(root, rel), offset, buf) ? buf : undefined;
}

/**
 * Fills `target` from `offset` of the file and returns the file's fstat taken after the
 * read; undefined when it is missing, not a regular file, or too short.
 */
function readRangeInto(absPath: string, offset: number, target: Uint8Array): Stats | undefined {
  let fd: number;
  try {
    fd = openSync(absPath, OPEN_FLAGS);
  } catch {
    return undefined;
  }
  try {
    let done = 0;
    while (done < target.length) {
      const n = readSync(fd, target, done, target.length - done, offset + done);
      if (n === 0) return undefined;
      done += n;
    }
    const st = fstatSync(fd);
    return st.isFile() ? st : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Reads a served range into `target`; true when it holds the chunk (unchanged stamp, or the right hash). */
function readServed(range: ServedRange, target: Uint8Array): boolean {
  const st = readRangeInto(range.absPath, range.offset, target);
  if (!st) return false;
  return (range.stamp !== null && sameStamp(range.stamp, st)) || sha256(target) === range.hash;
}

/**
 * Reads each range, keeping those that hold their chunk, packed one after the other into
 * one buffer (which a worker thread can hand over without copying): `into` if it is big
 * enough (a buffer used before, whose pages are already mapped), else a new one.
 */
export function readServedRanges(ranges: readonly ServedRange[], into?: ArrayBuffer): { bytes: ArrayBuffer; found: boolean[] } {
  const total = ranges.reduce((n, r) => n + r.size, 0);
  const bytes = into && into.byteLength >= total ? into : (Buffer.allocUnsafeSlow(roundUp(total, SERVE_BUFFER_GRAIN)).buffer as ArrayBuffer);
  let offset = 0;
  const found = ranges.map((r) => {
    if (!readServed(r, new Uint8Array(bytes, offset, r.size))) return false;
    offset += r.size;
    return true;
  });
  return { bytes: offset === total ? bytes : bytes.slice(0, offset), found };
}

/** New read buffers come in whole multiples of this, so that they fit the next requests when reused. */
const SERVE_BUFFER_GRAIN = 4 * 1024 * 1024;

function roundUp(n: number, grain: number): number {
  return Math.max(grain, Math.ceil(n / grain) * grain);
}

/** The first location whose bytes still hash to `hash` (files may have changed since indexing). */
export function readVerified(root: string, hash: string, locations: readonly ChunkLocation[]): Buffer | undefined {
  for (const loc of locations) {
    const data = readRangeSync(root, loc.path, loc.offset, loc.size);
    if (data && sha256(data) === hash) return data;
  }
  return undefined;
}

/** Requests at least this big are read on worker threads, leaving this one free for the receiving side. */
const OFF_THREAD_MIN_BYTES = 1024 * 1024;

/**
 * Serves chunk requests from this replica: first from the file the asker named, if this
 * replica's chunk index confirms that live file holds the chunk (at its first offset
 * there); otherwise wherever the chunk index says it lies. A chunk leaves only if its file
 * still has its indexed stat stamp or the bytes hash right, and only indexed files are read.
 * (The receiving side verifies every file it assembles against its hash in any case.)
 */
export async function serveChunks(root: string, store: Store, requests: readonly ChunkRequest[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const wanted = uniqueByHash(requests);
  const [named, stamps] = await Promise.all([store.chunksIn(wanted), store.stampsOf(wanted.map((r) => r.path))]);
  const ranges: ServedRange[] = [];
  const unresolved: string[] = [];
  wanted.forEach((r, i) => {
    const location = named[i];
    const stamp = stamps[i];
    if (location && location.size === r.size && stamp && !stamp.deleted && stamp.kind === 'file') {
      ranges.push({ absPath: path.join(root, r.path), offset: location.offset, size: r.size, hash: r.hash, stamp: stamp.stat });
    } else {
      unresolved.push(r.hash);
    }
  });
  const bytes = ranges.reduce((n, r) => n + r.size, 0);
  const read = bytes >= OFF_THREAD_MIN_BYTES ? await workerPool().readServed(ranges) : readServedHere(ranges);
  ranges.forEach((range, i) => {
    const data = read[i];
    if (data) out.set(range.hash, data);
    else unresolved.push(range.hash);
  });
  if (unresolved.length > 0) {
    const located = await store.findChunks(unresolved);
    for (const [hash, locations] of located) {
      if (out.has(hash)) continue;
      const data = readVerified(root, hash, locations);
      if (data) out.set(hash, data);
    }
  }
  return out;
}

function uniqueByHash(requests: readonly ChunkRequest[]): ChunkRequest[] {
  const seen = new Set<string>();
  return requests.filter((r) => !seen.has(r.hash) && seen.add(r.hash));
}

function readServedHere(ranges: readonly ServedRange[]): (Buffer | undefined)[] {
  return ranges.map((r) => {
    const data = Buffer.allocUnsafe(r.size);
    return readServed(r, data) ? data : undefined;
  });
}

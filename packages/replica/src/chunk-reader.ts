import { createHash } from 'node:crypto';
import { closeSync, constants as fsc, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { ChunkLocation, Store } from '@syncline/store';

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

/**
 * Reads `size` bytes at `offset` of a regular file under root, never following a symlink at
 * the file itself; undefined when the file is missing, not regular, or too short.
 */
export function readRangeSync(root: string, rel: string, offset: number, size: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path.join(root, rel), fsc.O_RDONLY | fsc.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, buf, done, size - done, offset + done);
      if (n === 0) return undefined;
      done += n;
    }
    return buf;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The first location whose bytes still hash to `hash` (files may have changed since indexing). */
export function readVerified(root: string, hash: string, locations: readonly ChunkLocation[]): Buffer | undefined {
  for (const loc of locations) {
    const data = readRangeSync(root, loc.path, loc.offset, loc.size);
    if (data && sha256(data) === hash) return data;
  }
  return undefined;
}

/**
 * Serves chunk requests from this replica: first at the place the asker named, if this
 * replica's own index confirms a live file holds that chunk there; otherwise wherever the
 * chunk index says it lies. Every chunk is verified before it leaves.
 */
export async function serveChunks(root: string, store: Store, requests: readonly ChunkRequest[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const paths = [...new Set(requests.map((r) => r.path))];
  const entries = await store.getMany(paths);
  const byPath = new Map(paths.map((p, i) => [p, entries[i]]));
  const unresolved: string[] = [];
  for (const r of requests) {
    if (out.has(r.hash)) continue;
    const rec = byPath.get(r.path)?.record;
    let data: Buffer | undefined;
    if (rec && !rec.deleted && rec.kind === 'file' && holdsChunkAt(rec.chunks, r)) {
      data = readRangeSync(root, r.path, r.offset, r.size);
      if (data && sha256(data) !== r.hash) data = undefined;
    }
    if (data) out.set(r.hash, data);
    else unresolved.push(r.hash);
  }
  if (unresolved.length > 0) {
    const located = await store.findChunks(unresolved);
    for (const [hash, locations] of located) {
      const data = readVerified(root, hash, locations);
      if (data) out.set(hash, data);
    }
  }
  return out;
}

function holdsChunkAt(chunks: readonly { hash: string; size: number }[], r: ChunkRequest): boolean {
  let offset = 0;
  for (const c of chunks) {
    if (offset === r.offset) return c.hash === r.hash && c.size === r.size;
    if (offset > r.offset) return false;
    offset += c.size;
  }
  return false;
}

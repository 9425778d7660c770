import { createHash, type Hash } from 'node:crypto';
import { closeSync, fchmodSync, futimesSync, openSync, writeSync } from 'node:fs';
import { open, rm, stat, type FileHandle } from 'node:fs/promises';
import type { FileRecord } from '@syncline/core';
import type { Store } from '@syncline/store';
import { readVerified, sha256, type ChunkRequest } from './chunk-reader.js';
import { forEachLimit } from './concurrency.js';
import { flushFileSystem, yieldToEventLoop } from './durability.js';
import type { ApplyProblem } from './errors.js';
import { ensureTmpDir, partialPath, tmpDir } from './tmp.js';

/** Fetches chunks from the other replica; chunks it cannot serve are absent from the map. */
export type ChunkSource = (requests: readonly ChunkRequest[]) => Promise<Map<string, Uint8Array>>;

export interface TransferStats {
  /** Chunk bytes received from the other replica. */
  bytesTransferred: number;
  /** Chunk bytes copied from files already in this replica. */
  bytesReused: number;
  /** Bytes of partial downloads kept from an earlier, interrupted session. */
  bytesResumed: number;
  filesPrepared: number;
}

export function emptyTransferStats(): TransferStats {
  return { bytesTransferred: 0, bytesReused: 0, bytesResumed: 0, filesPrepared: 0 };
}

/** Files up to this size are assembled in memory, many per request; larger ones stream. */
export const SMALL_FILE_MAX = 1 << 20;
const BATCH_FILES = 512;
const BATCH_BYTES = 16 << 20;
/** Bytes asked of the other replica in one request while streaming a large file. */
const WINDOW_BYTES = 8 << 20;

export interface PreparedFiles {
  /** Content hash → verified tmp file, ready to be renamed into place. */
  readonly prepared: Map<string, string>;
  readonly problems: ApplyProblem[];
}

function requestsFor(record: FileRecord): ChunkRequest[] {
  let offset = 0;
  return record.chunks.map((c) => {
    const r = { hash: c.hash, path: record.path, offset, size: c.size };
    offset += c.size;
    return r;
  });
}

/**
 * Builds every file content in `.syncline/tmp/<hash>.part` from chunks found in this replica
 * or fetched from the other one, verifies it against its hash, sets mode and mtime, and
 * (with fsync) makes it durable before anything is renamed into place.
 */
export async function prepareFiles(
  root: string,
  store: Store,
  records: readonly FileRecord[],
  source: ChunkSource,
  stats: TransferStats,
  options: { fsync?: boolean } = {},
): Promise<PreparedFiles> {
  await ensureTmpDir(root);
  const prepared = new Map<string, string>();
  const problems: ApplyProblem[] = [];
  const small = records.filter((r) => r.size <= SMALL_FILE_MAX);
  const large = records.filter((r) => r.size > SMALL_FILE_MAX);
  for (let i = 0; i < small.length; ) {
    const batch: FileRecord[] = [];
    let bytes = 0;
    while (i < small.length && batch.length < BATCH_FILES && (batch.length === 0 || bytes < BATCH_BYTES)) {
      bytes += small[i]!.size;
      batch.push(small[i++]!);
    }
    await prepareSmallBatch(root, store, batch, source, stats, prepared, problems);
    await yieldToEventLoop();
  }
  await forEachLimit(large, 2, async (record) => {
    try {
      const outcome = await prepareLargeFile(root, store, record, source, stats);
      if (outcome.ok) prepared.set(record.hash, outcome.tmpPath);
      else problems.push(outcome.problem);
    } catch (err) {
      problems.push({ path: record.path, code: 'prepare-failed', message: `${record.path}: ${err instanceof Error ? err.message : String(err)}` });
    }
  });
  if (options.fsync !== false && prepared.size > 0) await flushFileSystem(tmpDir(root), [...prepared.values()]);
  return { prepared, problems };
}

const unavailable = (path: string): ApplyProblem => ({
  path,
  code: 'chunk-unavailable',
  message: `the other replica could not supply all of ${path} (it changed there, or is unreadable); it will be retried`,
});

async function prepareSmallBatch(
  root: string,
  store: Store,
  batch: readonly FileRecord[],
  source: ChunkSource,
  stats: TransferStats,
  prepared: Map<string, string>,
  problems: ApplyProblem[],
): Promise<void> {
  const requests = batch.flatMap(requestsFor);
  const singleChunkFiles = new Set(batch.filter((r) => r.chunks.length === 1).map((r) => r.hash));
  const data = new Map<string, Uint8Array>();
  const local = await store.findChunks(requests.map((r) => r.hash));
  for (const [hash, locations] of local) {
    const d = readVerified(root, hash, locations);
    if (d) data.set(hash, d);
  }
  const missing = new Map<string, ChunkRequest>();
  for (const r of requests) if (!data.has(r.hash) && !missing.has(r.hash)) missing.set(r.hash, r);
  if (missing.size > 0) {
    const fetched = await source([...missing.values()]);
    for (const [hash, d] of fetched) {
      if (!missing.has(hash)) continue;
      // A whole one-chunk file is verified below by its file hash, which is the chunk hash.
      if (!singleChunkFiles.has(hash) && sha256(d) !== hash) continue;
      data.set(hash, d);
      stats.bytesTransferred += d.length;
    }
  }
  for (const record of batch) {
    const parts = record.chunks.map((c) => data.get(c.hash));
    if (parts.some((p) => p === undefined)) {
      problems.push(unavailable(record.path));
      continue;
    }
    const hasher = createHash('sha256');
    for (const p of parts) hasher.update(p!);
    if (hasher.digest('hex') !== record.hash) {
      problems.push({ path: record.path, code: 'hash-mismatch', message: `assembled content of ${record.path} does not match its hash; it will be retried` });
      continue;
    }
    for (const c of record.chunks) if (!missing.has(c.hash)) stats.bytesReused += c.size;
    const part = partialPath(root, record.hash);
    const fd = openSync(part, 'w', 0o600);
    try {
      let position = 0;
      for (const p of parts) {
        let done = 0;
        while (done < p!.length) done += writeSync(fd, p!, done, p!.length - done, position + done);
        position += p!.length;
      }
      fchmodSync(fd, record.mode & 0o7777);
      const mtime = new Date(record.mtimeMs);
      futimesSync(fd, mtime, mtime);
    } finally {
      closeSync(fd);
    }
    stats.filesPrepared++;
    prepared.set(record.hash, part);
  }
}

type LargeOutcome = { ok: true; tmpPath: string } | { ok: false; problem: ApplyProblem };

/** Streams one large file into tmp, resuming a partial file left by an interrupted session. */
async function prepareLargeFile(root: string, store: Store, record: FileRecord, source: ChunkSource, stats: TransferStats): Promise<LargeOutcome> {
  const part = partialPath(root, record.hash);
  const fh = await open(part, (await exists(part)) ? 'r+' : 'w+', 0o600);
  let keep = false;
  try {
    const hasher = createHash('sha256');
    let offset = await keepVerifiedPrefix(fh, record, hasher);
    stats.bytesResumed += offset;
    const all = requestsFor(record);
    let index = all.findIndex((r) => r.offset >= offset);
    if (index < 0) index = all.length;
    while (index < all.length) {
      const window: ChunkRequest[] = [];
      let windowBytes = 0;
      while (index + window.length < all.length && (window.length === 0 || windowBytes < WINDOW_BYTES)) {
        const r = all[index + window.length]!;
        window.push(r);
        windowBytes += r.size;
      }
      const data = new Map<string, Uint8Array>();
      const local = await store.findChunks(window.map((r) => r.hash));
      for (const [hash, locations] of local) {
        const d = readVerified(root, hash, locations);
        if (d) data.set(hash, d);
      }
      const missing = new Map<string, ChunkRequest>();
      for (const r of window) if (!data.has(r.hash) && !missing.has(r.hash)) missing.set(r.hash, r);
      if (missing.size > 0) {
        const fetched = await source([...missing.values()]);
        for (const h of missing.keys()) {
          const d = fetched.get(h);
          if (!d || sha256(d) !== h) {
            keep = true;
            return { ok: false, problem: unavailable(record.path) };
          }
          data.set(h, d);
          stats.bytesTransferred += d.length;
        }
      }
      for (const r of window) {
        const d = data.get(r.hash)!;
        if (!missing.has(r.hash)) stats.bytesReused += d.length;
        await writeAll(fh, d, offset);
        hasher.update(d);
        offset += d.length;
      }
      index += window.length;
    }
    if (hasher.digest('hex') !== record.hash || offset !== record.size) {
      return { ok: false, problem: { path: record.path, code: 'hash-mismatch', message: `assembled content of ${record.path} does not match its hash; it will be retried` } };
    }
    await fh.chmod(record.mode & 0o7777);
    const mtime = new Date(record.mtimeMs);
    await fh.utimes(mtime, mtime);
    keep = true;
    stats.filesPrepared++;
    return { ok: true, tmpPath: part };
  } finally {
    await fh.close();
    if (!keep) await rm(part, { force: true });
  }
}

/** Keeps the longest prefix of whole, verified chunks of an existing partial file; truncates the rest. */
async function keepVerifiedPrefix(fh: FileHandle, record: FileRecord, hasher: Hash): Promise<number> {
  const size = (await fh.stat()).size;
  let offset = 0;
  for (const c of record.chunks) {
    if (offset + c.size > size) break;
    const buf = Buffer.allocUnsafe(c.size);
    const { bytesRead } = await fh.read(buf, 0, c.size, offset);
    if (bytesRead !== c.size || sha256(buf) !== c.hash) break;
    hasher.update(buf);
    offset += c.size;
  }
  if (offset !== size) await fh.truncate(offset);
  return offset;
}

async function writeAll(fh: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

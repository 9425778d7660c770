import { createHash } from 'node:crypto';
import { closeSync, fchmodSync, futimesSync, openSync, writeSync } from 'node:fs';
import { open, rm, stat, type FileHandle } from 'node:fs/promises';
import type { FileRecord } from '@syncline/core';
import type { Store } from '@syncline/store';
import { readVerified, sha256, type ChunkRequest } from './chunk-reader.js';
import { sha256Hex } from './file-hash.js';
import { forEachLimit, limiter, startedEarly } from './concurrency.js';
import { flushFileSystem, fsyncPath, yieldToEventLoop } from './durability.js';
import type { ApplyProblem } from './errors.js';
import { aheadPath, ensureTmpDir, partialPath, tmpDir } from './tmp.js';
import { workerPool } from './worker-pool.js';

/**
 * Fetches chunks from the other replica; chunks it cannot serve are absent from the map.
 * `release`, if present, takes back every chunk of one call's map once none is read any more.
 */
export type ChunkSource = ((requests: readonly ChunkRequest[]) => Promise<Map<string, Uint8Array>>) & {
  readonly release?: (chunks: Iterable<Uint8Array>) => void;
};

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
  options: { fsync?: boolean; aheadTag?: string } = {},
): Promise<PreparedFiles> {
  await ensureTmpDir(root);
  // Prepared ahead of its round, a small file gets a name of its own: the round still being
  // applied may be renaming a file with the same content from its usual name.
  const { aheadTag } = options;
  const tmpPathOf = aheadTag === undefined ? (hash: string) => partialPath(root, hash) : (hash: string) => aheadPath(root, hash, aheadTag);
  const prepared = new Map<string, string>();
  const problems: ApplyProblem[] = [];
  const small = records.filter((r) => r.size <= SMALL_FILE_MAX);
  const large = records.filter((r) => r.size > SMALL_FILE_MAX);
  const fsync = options.fsync !== false;
  const batches = smallFileBatches(small);
  let fetching = batches.length > 0 ? fetchSmallBatch(root, store, batches[0]!, source, stats) : undefined;
  for (let i = 0; i < batches.length; i++) {
    const fetched = await fetching!;
    // The other side reads the next batch (on its worker threads) while this one is written.
    fetching = i + 1 < batches.length ? startedEarly(fetchSmallBatch(root, store, batches[i + 1]!, source, stats)) : undefined;
    writeSmallBatch(tmpPathOf, batches[i]!, fetched, stats, prepared, problems);
    workerPool().recycle(fetched.data.values());
    source.release?.(fetched.data.values());
    await yieldToEventLoop();
  }
  // The small files are flushed, and each large file is fsynced as soon as it is complete,
  // while the large files are still coming: the disk works meanwhile.
  const smallFiles = [...prepared.values()];
  const smallFilesDurable = fsync && smallFiles.length > 0 ? startedEarly(flushFileSystem(tmpDir(root), smallFiles)) : undefined;
  const largeFileSyncs: Promise<void>[] = [];
  const syncLarge = limiter(2);
  await forEachLimit(large, 2, async (record) => {
    try {
      const outcome = await prepareLargeFile(root, store, record, source, stats);
      if (outcome.ok) {
        prepared.set(record.hash, outcome.tmpPath);
        if (fsync) largeFileSyncs.push(syncLarge(() => fsyncPath(outcome.tmpPath)));
      } else {
        problems.push(outcome.problem);
      }
    } catch (err) {
      problems.push({ path: record.path, code: 'prepare-failed', message: `${record.path}: ${err instanceof Error ? err.message : String(err)}` });
    }
  });
  await smallFilesDurable;
  await Promise.all(largeFileSyncs);
  return { prepared, problems };
}

const unavailable = (path: string): ApplyProblem => ({
  path,
  code: 'chunk-unavailable',
  message: `the other replica could not supply all of ${path} (it changed there, or is unreadable); it will be retried`,
});

function smallFileBatches(small: readonly FileRecord[]): FileRecord[][] {
  const batches: FileRecord[][] = [];
  for (let i = 0; i < small.length; ) {
    const batch: FileRecord[] = [];
    let bytes = 0;
    while (i < small.length && batch.length < BATCH_FILES && (batch.length === 0 || bytes < BATCH_BYTES)) {
      bytes += small[i]!.size;
      batch.push(small[i++]!);
    }
    batches.push(batch);
  }
  return batches;
}

interface FetchedChunks {
  readonly data: Map<string, Uint8Array>;
  /** Hashes that had to come from the other replica (the rest was found here). */
  readonly fetched: ReadonlySet<string>;
}

/** Every chunk of a batch of small files: from this replica where it lies here, else from the other one. */
async function fetchSmallBatch(root: string, store: Store, batch: readonly FileRecord[], source: ChunkSource, stats: TransferStats): Promise<FetchedChunks> {
  const requests = batch.flatMap(requestsFor);
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
      // Not hashed one by one: each file is verified below by its own hash, which covers them.
      if (missing.get(hash)?.size !== d.length) continue;
      data.set(hash, d);
      stats.bytesTransferred += d.length;
    }
  }
  return { data, fetched: new Set(missing.keys()) };
}

/** Assembles, verifies and writes each file of the batch into tmp (synchronous calls: many small files). */
function writeSmallBatch(
  tmpPathOf: (hash: string) => string,
  batch: readonly FileRecord[],
  { data, fetched }: FetchedChunks,
  stats: TransferStats,
  prepared: Map<string, string>,
  problems: ApplyProblem[],
): void {
  for (const record of batch) {
    const parts = record.chunks.map((c) => data.get(c.hash));
    if (parts.some((p) => p === undefined)) {
      problems.push(unavailable(record.path));
      continue;
    }
    if (contentHash(parts as Uint8Array[]) !== record.hash) {
      problems.push({ path: record.path, code: 'hash-mismatch', message: `assembled content of ${record.path} does not match its hash; it will be retried` });
      continue;
    }
    for (const c of record.chunks) if (!fetched.has(c.hash)) stats.bytesReused += c.size;
    const part = tmpPathOf(record.hash);
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

function contentHash(parts: readonly Uint8Array[]): string {
  if (parts.length === 1) return sha256Hex(parts[0]!);
  const hasher = createHash('sha256');
  for (const p of parts) hasher.update(p);
  return hasher.digest('hex');
}

type LargeOutcome = { ok: true; tmpPath: string } | { ok: false; problem: ApplyProblem };

/** Streams one large file into tmp, resuming a partial file left by an interrupted session. */
async function prepareLargeFile(root: string, store: Store, record: FileRecord, source: ChunkSource, stats: TransferStats): Promise<LargeOutcome> {
  const part = partialPath(root, record.hash);
  const fh = await open(part, (await exists(part)) ? 'r+' : 'w+', 0o600);
  let keep = false;
  try {
    let offset = await keepVerifiedPrefix(fh, record);
    stats.bytesResumed += offset;
    const all = requestsFor(record);
    const start = all.findIndex((r) => r.offset >= offset);
    const windows = chunkWindows(start < 0 ? [] : all.slice(start));
    let fetching = windows.length > 0 ? fetchWindow(root, store, windows[0]!, source, stats) : undefined;
    for (let i = 0; i < windows.length; i++) {
      const window = windows[i]!;
      const got = await fetching!;
      if (!got) {
        keep = true;
        return { ok: false, problem: unavailable(record.path) };
      }
      fetching = i + 1 < windows.length ? startedEarly(fetchWindow(root, store, windows[i + 1]!, source, stats)) : undefined;
      const parts = window.map((r) => got.data.get(r.hash)!);
      await writeAllv(fh, parts, offset);
      for (const [j, d] of parts.entries()) {
        if (!got.fetched.has(window[j]!.hash)) stats.bytesReused += d.length;
        offset += d.length;
      }
      workerPool().recycle(parts);
      source.release?.(got.data.values());
    }
    // Verified as written, read back on a worker thread: this thread stays free to receive the
    // next windows (hashing here took a sixth of a receiving daemon's main thread).
    const written = offset === record.size ? await workerPool().sha256File(part, record.size) : undefined;
    if (written?.hash !== record.hash || written.size !== record.size) {
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

/** Consecutive chunk requests of about WINDOW_BYTES each. */
function chunkWindows(requests: readonly ChunkRequest[]): ChunkRequest[][] {
  const windows: ChunkRequest[][] = [];
  for (let i = 0; i < requests.length; ) {
    const window: ChunkRequest[] = [];
    let bytes = 0;
    while (i < requests.length && (window.length === 0 || bytes < WINDOW_BYTES)) {
      bytes += requests[i]!.size;
      window.push(requests[i++]!);
    }
    windows.push(window);
  }
  return windows;
}

/** The chunks of one window of a large file, or undefined if the other replica lacks some. */
async function fetchWindow(root: string, store: Store, window: readonly ChunkRequest[], source: ChunkSource, stats: TransferStats): Promise<FetchedChunks | undefined> {
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
    for (const [h, r] of missing) {
      // Fetched chunks are not hashed one by one: the whole file is verified at the end,
      // and a resumed download verifies each chunk it keeps (keepVerifiedPrefix).
      const d = fetched.get(h);
      if (!d || d.length !== r.size) return undefined;
      data.set(h, d);
      stats.bytesTransferred += d.length;
    }
  }
  return { data, fetched: new Set(missing.keys()) };
}

/** Keeps the longest prefix of whole, verified chunks of an existing partial file; truncates the rest. */
async function keepVerifiedPrefix(fh: FileHandle, record: FileRecord): Promise<number> {
  const size = (await fh.stat()).size;
  let offset = 0;
  for (const c of record.chunks) {
    if (offset + c.size > size) break;
    const buf = Buffer.allocUnsafe(c.size);
    const { bytesRead } = await fh.read(buf, 0, c.size, offset);
    if (bytesRead !== c.size || sha256(buf) !== c.hash) break;
    offset += c.size;
  }
  if (offset !== size) await fh.truncate(offset);
  return offset;
}

/** Writes the buffers one after the other from `position`, in as few calls as the system allows. */
async function writeAllv(fh: FileHandle, buffers: readonly Uint8Array[], position: number): Promise<void> {
  let pending = buffers.filter((b) => b.length > 0);
  while (pending.length > 0) {
    let { bytesWritten } = await fh.writev(pending, position);
    position += bytesWritten;
    while (pending.length > 0 && bytesWritten >= pending[0]!.length) bytesWritten -= pending.shift()!.length;
    if (pending.length > 0 && bytesWritten > 0) pending = [pending[0]!.subarray(bytesWritten), ...pending.slice(1)];
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

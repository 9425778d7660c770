import { createHash } from 'node:crypto';
import { open, rm, stat } from 'node:fs/promises';
import type { FileRecord } from '@syncline/core';
import type { Store } from '@syncline/store';
import { readLocalChunk, sha256 } from './chunk-reader.js';
import type { ApplyProblem } from './errors.js';
import { ensureTmpDir, partialPath } from './tmp.js';

/** Fetches chunks by hash from the other replica; hashes it cannot serve are absent from the map. */
export type ChunkSource = (hashes: readonly string[]) => Promise<Map<string, Uint8Array>>;

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

/** Bytes asked of the other replica in one request. */
const FETCH_WINDOW_BYTES = 8 << 20;

export type PrepareOutcome = { ok: true; tmpPath: string } | { ok: false; problem: ApplyProblem };

/**
 * Builds the file `record` describes in `.syncline/tmp/<hash>.part` from chunks found in this
 * replica or fetched from the other one; resumes a partial file left by an interrupted session;
 * verifies the content hash; sets mode and mtime; fsyncs. The caller renames it into place.
 */
export async function prepareFile(
  root: string,
  store: Store,
  record: FileRecord,
  source: ChunkSource,
  stats: TransferStats,
): Promise<PrepareOutcome> {
  await ensureTmpDir(root);
  const part = partialPath(root, record.hash);
  const fh = await open(part, (await exists(part)) ? 'r+' : 'w+');
  let keep = false;
  try {
    const hasher = createHash('sha256');
    let offset = await keepVerifiedPrefix(fh, record, hasher);
    stats.bytesResumed += offset;
    let index = record.chunks.findIndex((_, i) => chunkOffset(record, i) >= offset);
    if (index < 0) index = record.chunks.length;
    while (index < record.chunks.length) {
      const window: FileRecord['chunks'][number][] = [];
      let windowBytes = 0;
      while (index + window.length < record.chunks.length && (window.length === 0 || windowBytes < FETCH_WINDOW_BYTES)) {
        const c = record.chunks[index + window.length]!;
        window.push(c);
        windowBytes += c.size;
      }
      const data = new Map<string, Uint8Array>();
      const missing: string[] = [];
      for (const c of window) {
        if (data.has(c.hash)) continue;
        const local = await readLocalChunk(root, store, c.hash);
        if (local) {
          data.set(c.hash, local);
          stats.bytesReused += local.length;
        } else if (!missing.includes(c.hash)) missing.push(c.hash);
      }
      if (missing.length > 0) {
        const fetched = await source(missing);
        for (const h of missing) {
          const d = fetched.get(h);
          if (!d || sha256(d) !== h) {
            keep = true;
            return { ok: false, problem: { path: record.path, code: 'chunk-unavailable', message: `the other replica could not supply a block of ${record.path}; it will be retried` } };
          }
          data.set(h, d);
          stats.bytesTransferred += d.length;
        }
      }
      for (const c of window) {
        const d = data.get(c.hash)!;
        await writeAll(fh, d, offset);
        hasher.update(d);
        offset += d.length;
      }
      index += window.length;
    }
    const digest = hasher.digest('hex');
    if (digest !== record.hash || offset !== record.size) {
      return { ok: false, problem: { path: record.path, code: 'hash-mismatch', message: `assembled content of ${record.path} does not match its hash; it will be retried` } };
    }
    await fh.chmod(record.mode & 0o7777);
    const mtime = new Date(record.mtimeMs);
    await fh.utimes(mtime, mtime);
    await fh.datasync();
    keep = true;
    stats.filesPrepared++;
    return { ok: true, tmpPath: part };
  } finally {
    await fh.close();
    if (!keep) await rm(part, { force: true });
  }
}

function chunkOffset(record: FileRecord, index: number): number {
  let o = 0;
  for (let i = 0; i < index; i++) o += record.chunks[i]!.size;
  return o;
}

/** Keeps the longest prefix of whole, verified chunks of an existing partial file; truncates the rest. */
async function keepVerifiedPrefix(fh: import('node:fs/promises').FileHandle, record: FileRecord, hasher: import('node:crypto').Hash): Promise<number> {
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

async function writeAll(fh: import('node:fs/promises').FileHandle, data: Uint8Array, position: number): Promise<void> {
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

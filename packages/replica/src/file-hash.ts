import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash, hash as oneShotHash, type Hash } from 'node:crypto';
import { SynclineError, type ChunkRef } from '@syncline/core';
import { Chunker, chunkLengths, MIN_CHUNK_SIZE } from './chunker.js';

/** What a file's content hashes to: SHA-256 (hex) of the whole and of each content-defined chunk. */
export interface FileHash {
  readonly hash: string;
  readonly size: number;
  readonly chunks: ChunkRef[];
}

export const READ_BUFFER_SIZE = 1024 * 1024;

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256Hex(data: Uint8Array | string): string {
  return oneShotHash('sha256', data, 'hex');
}

/** Hashes content held in memory; a single-chunk content is hashed only once. */
export function hashBuffer(data: Uint8Array): FileHash {
  const hash = sha256Hex(data);
  const size = data.length;
  if (size === 0) return { hash, size, chunks: [] };
  if (size <= MIN_CHUNK_SIZE) return { hash, size, chunks: [{ hash, size }] };
  const lengths = chunkLengths(data);
  if (lengths.length === 1) return { hash, size, chunks: [{ hash, size }] };
  const chunks: ChunkRef[] = [];
  let offset = 0;
  for (const length of lengths) {
    chunks.push({ hash: sha256Hex(data.subarray(offset, offset + length)), size: length });
    offset += length;
  }
  return { hash, size, chunks };
}

/** Hashes content that arrives in pieces, for files too big to hold in memory. */
export class StreamingHasher {
  private readonly whole: Hash = createHash('sha256');
  private readonly chunker = new Chunker();
  private chunkHash: Hash = createHash('sha256');
  private chunkSize = 0;
  private size = 0;
  private readonly chunks: ChunkRef[] = [];

  update(data: Uint8Array): void {
    this.whole.update(data);
    this.size += data.length;
    let start = 0;
    for (const cut of this.chunker.push(data)) {
      this.chunkHash.update(data.subarray(start, cut));
      this.chunks.push({ hash: this.chunkHash.digest('hex'), size: this.chunkSize + cut - start });
      this.chunkHash = createHash('sha256');
      this.chunkSize = 0;
      start = cut;
    }
    if (start < data.length) {
      this.chunkHash.update(data.subarray(start));
      this.chunkSize += data.length - start;
    }
  }

  digest(): FileHash {
    const last = this.chunker.end();
    if (last > 0) this.chunks.push({ hash: this.chunkHash.digest('hex'), size: last });
    return { hash: this.whole.digest('hex'), size: this.size, chunks: this.chunks };
  }
}

/** The path holds something other than a regular file (a FIFO, socket, device or directory). */
export class NotAFileError extends SynclineError {
  constructor(readonly path: string) {
    super('SYNCLINE_NOT_A_FILE', `${path} is not a regular file; only regular files have content to hash`);
  }
}

/** The file grew past the size it was expected to have while it was being read. */
export class FileChangedError extends SynclineError {
  constructor(readonly path: string) {
    super('SYNCLINE_FILE_CHANGED', `${path} changed while it was being read; read it again once it is no longer being written`);
  }
}

/** What a hash result keeps of an fstat (a plain object, so that it can come from a worker thread). */
export interface FileStat {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  readonly mode: number;
}

/** A file's hashes, with the file's fstat taken right after reading it. */
export interface HashedFile extends FileHash {
  /**
   * fstat of the open file after the read. If it equals an lstat taken before
   * (same inode, size and times), the content hashed is the content that lstat
   * describes; otherwise the file changed or was replaced meanwhile.
   */
  readonly stat: FileStat;
}

/** Never follow a link that replaced the file since it was stat'ed; never block opening a FIFO. */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Files up to this size are read with synchronous calls: on a warm cache that is
 * about four times faster than going through the libuv thread pool, and one
 * such read blocks the event loop for well under a millisecond.
 */
export const SYNC_READ_LIMIT = READ_BUFFER_SIZE;

const MAX_POOLED_BUFFERS = 32;
const bufferPool: Buffer[] = [];
/** Synchronous reads never interleave, so they share one buffer. */
let syncBuffer: Buffer | undefined;

function takeBuffer(): Buffer {
  return bufferPool.pop() ?? Buffer.allocUnsafe(READ_BUFFER_SIZE);
}

function returnBuffer(buffer: Buffer): void {
  if (bufferPool.length < MAX_POOLED_BUFFERS) bufferPool.push(buffer);
}

/**
 * Reads a regular file once and hashes it.
 *
 * `expectedSize` is the size from the caller's lstat. With it, files up to
 * SYNC_READ_LIMIT are read with synchronous calls, the final zero-length read
 * is saved, and reading stops with FileChangedError as soon as the file turns
 * out bigger (which also bounds what is read from a FIFO swapped in meanwhile).
 * Compare the returned `stat` with that lstat to know whether the content read
 * is the content it describes. Without it, the file is fstat'ed first.
 *
 * Throws the fs error (ENOENT, EACCES, ELOOP when the path is a symlink, ENXIO
 * for a socket, EISDIR…), NotAFileError or FileChangedError.
 */
export async function hashFile(absPath: string, expectedSize = -1): Promise<HashedFile> {
  if (expectedSize >= 0 && expectedSize < SYNC_READ_LIMIT) return hashFileSync(absPath, expectedSize);
  const handle = await open(absPath, OPEN_FLAGS);
  const buffer = takeBuffer();
  try {
    const limit = expectedSize >= 0 ? expectedSize : regularFileSize(await handle.stat(), absPath);
    const read = async (offset: number): Promise<number> => (await handle.read(buffer, offset, buffer.length - offset, null)).bytesRead;
    const content = await readAndHash(buffer, limit, absPath, read);
    return { ...content, stat: checkRegular(await handle.stat(), absPath) };
  } finally {
    returnBuffer(buffer);
    await handle.close();
  }
}

/** hashFile with synchronous reads. */
export function hashFileSync(absPath: string, expectedSize = -1): HashedFile {
  const fd = openSync(absPath, OPEN_FLAGS);
  try {
    const limit = expectedSize >= 0 ? expectedSize : regularFileSize(fstatSync(fd), absPath);
    const buffer = (syncBuffer ??= Buffer.allocUnsafe(READ_BUFFER_SIZE));
    const read = (offset: number): number => readSync(fd, buffer, offset, buffer.length - offset, null);
    const content = readAndHashSync(buffer, limit, absPath, read);
    return { ...content, stat: checkRegular(fstatSync(fd), absPath) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads into `buffer` until it is full or the file ends, and hashes in one piece
 * what fits; a bigger file is streamed. Reaching `limit` (the expected size) is
 * taken as the end, which saves a read per small file: a file that grew is then
 * caught by its fstat. Going past `limit` means it grew: FileChangedError.
 */
async function readAndHash(buffer: Buffer, limit: number, absPath: string, read: (offset: number) => Promise<number>): Promise<FileHash> {
  let filled = 0;
  for (let n = -1; filled < buffer.length && filled !== limit && n !== 0; ) {
    n = await read(filled);
    filled += n;
    if (filled > limit) throw new FileChangedError(absPath);
  }
  if (filled < buffer.length) return hashBuffer(buffer.subarray(0, filled));
  const hasher = new StreamingHasher();
  hasher.update(buffer);
  for (let n = await read(0), total = filled + n; n > 0; n = await read(0), total += n) {
    if (total > limit) throw new FileChangedError(absPath);
    hasher.update(buffer.subarray(0, n));
  }
  return hasher.digest();
}

/** readAndHash with a synchronous `read`. */
function readAndHashSync(buffer: Buffer, limit: number, absPath: string, read: (offset: number) => number): FileHash {
  let filled = 0;
  for (let n = -1; filled < buffer.length && filled !== limit && n !== 0; ) {
    n = read(filled);
    filled += n;
    if (filled > limit) throw new FileChangedError(absPath);
  }
  if (filled < buffer.length) return hashBuffer(buffer.subarray(0, filled));
  const hasher = new StreamingHasher();
  hasher.update(buffer);
  for (let n = read(0), total = filled + n; n > 0; n = read(0), total += n) {
    if (total > limit) throw new FileChangedError(absPath);
    hasher.update(buffer.subarray(0, n));
  }
  return hasher.digest();
}

/** Bytes read at a time by sha256FileSync: big reads, few calls. */
const WHOLE_FILE_READ_BYTES = 4 * 1024 * 1024;
let wholeFileBuffer: Buffer | undefined;

/**
 * SHA-256 (hex) of a whole file and the number of bytes it holds, with synchronous reads (for
 * a worker thread). Nothing but the hash: no chunking. Reading stops past `expectedSize`.
 */
export function sha256FileSync(absPath: string, expectedSize: number): { hash: string; size: number } {
  const fd = openSync(absPath, OPEN_FLAGS);
  try {
    checkRegular(fstatSync(fd), absPath);
    const buffer = (wholeFileBuffer ??= Buffer.allocUnsafeSlow(WHOLE_FILE_READ_BYTES));
    const hasher = createHash('sha256');
    let size = 0;
    for (let n = readSync(fd, buffer, 0, buffer.length, 0); n > 0; n = readSync(fd, buffer, 0, buffer.length, size)) {
      hasher.update(buffer.subarray(0, n));
      size += n;
      if (size > expectedSize) break;
    }
    return { hash: hasher.digest('hex'), size };
  } finally {
    closeSync(fd);
  }
}

function checkRegular(st: Stats, absPath: string): Stats {
  if (!st.isFile()) throw new NotAFileError(absPath);
  return st;
}

function regularFileSize(st: Stats, absPath: string): number {
  return checkRegular(st, absPath).size;
}

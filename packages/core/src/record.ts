import { SchemaError } from './errors.js';
import { isHlc, type Hlc } from './hlc.js';
import { isValidRelativePath } from './paths.js';
import { isVersionVector, type VersionVector } from './vector.js';

export type EntryKind = 'file' | 'dir' | 'symlink';

/** One content-defined chunk of a file: SHA-256 (hex) and length; offsets are implicit. */
export interface ChunkRef {
  readonly hash: string;
  readonly size: number;
}

/** What a replica knows about one path. Tombstones keep kind and version. */
export interface FileRecord {
  readonly path: string;
  readonly kind: EntryKind;
  readonly deleted: boolean;
  readonly size: number;
  readonly mtimeMs: number;
  /** Permission bits (& 0o777); only the executable bit is applied on other replicas. */
  readonly mode: number;
  /** SHA-256 hex of the content (file) or of the target (symlink); '' for directories and tombstones. */
  readonly hash: string;
  readonly chunks: readonly ChunkRef[];
  /** Symlink target, verbatim; '' otherwise. */
  readonly target: string;
  readonly version: VersionVector;
  /** Local sequence number in the replica that holds the record (0 = not yet assigned). */
  readonly seq: number;
  readonly hlc: Hlc;
  /** Replica that made this version. */
  readonly by: string;
}

export const MAX_CHUNKS_PER_RECORD = 1 << 20;
const HEX64 = /^[0-9a-f]{64}$/;

/** True when the two records hold the same thing at their path (content, not metadata). */
export function sameContent(a: FileRecord, b: FileRecord): boolean {
  if (a.deleted || b.deleted) return a.deleted && b.deleted;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'dir') return true;
  if (a.kind === 'symlink') return a.target === b.target;
  return a.hash === b.hash && a.size === b.size;
}

/** True when applying b over a changes nothing on disk (content and exec bit). */
export function sameOnDisk(a: FileRecord, b: FileRecord): boolean {
  return sameContent(a, b) && (a.kind !== 'file' || a.deleted || (a.mode & 0o111) === (b.mode & 0o111));
}

/** Schema check for a record decoded from a peer or read from the store. */
export function parseRecord(v: unknown, what = 'record'): FileRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SchemaError(what, 'not an object');
  const r = v as Record<string, unknown>;
  const fail = (field: string): never => {
    throw new SchemaError(what, `bad field "${field}"`);
  };
  if (!isValidRelativePath(r.path)) fail('path');
  if (r.kind !== 'file' && r.kind !== 'dir' && r.kind !== 'symlink') fail('kind');
  if (typeof r.deleted !== 'boolean') fail('deleted');
  for (const f of ['size', 'seq', 'mode'] as const) {
    if (!Number.isSafeInteger(r[f]) || (r[f] as number) < 0) fail(f);
  }
  if (typeof r.mtimeMs !== 'number' || !Number.isFinite(r.mtimeMs)) fail('mtimeMs');
  if (typeof r.hash !== 'string' || (r.hash !== '' && !HEX64.test(r.hash))) fail('hash');
  if (typeof r.target !== 'string' || r.target.length > 4096 || r.target.includes('\0')) fail('target');
  if (!Array.isArray(r.chunks) || r.chunks.length > MAX_CHUNKS_PER_RECORD) fail('chunks');
  let total = 0;
  for (const c of r.chunks as unknown[]) {
    if (typeof c !== 'object' || c === null) fail('chunks');
    const { hash, size } = c as Record<string, unknown>;
    if (typeof hash !== 'string' || !HEX64.test(hash)) fail('chunks');
    if (!Number.isSafeInteger(size) || (size as number) <= 0) fail('chunks');
    total += size as number;
  }
  if (r.kind === 'file' && !r.deleted && total !== r.size) fail('chunks');
  if (!isVersionVector(r.version)) fail('version');
  if (!isHlc(r.hlc)) fail('hlc');
  if (typeof r.by !== 'string' || r.by.length > 64) fail('by');
  return {
    path: r.path as string,
    kind: r.kind as EntryKind,
    deleted: r.deleted as boolean,
    size: r.size as number,
    mtimeMs: r.mtimeMs as number,
    mode: (r.mode as number) & 0o7777,
    hash: r.hash as string,
    chunks: (r.chunks as ChunkRef[]).map((c) => ({ hash: c.hash, size: c.size })),
    target: r.target as string,
    version: { ...(r.version as VersionVector) },
    seq: r.seq as number,
    hlc: { t: (r.hlc as Hlc).t, c: (r.hlc as Hlc).c },
    by: r.by as string,
  };
}

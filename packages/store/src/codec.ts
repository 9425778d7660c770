import { Packr } from 'msgpackr';
import { isHlc, isValidRelativePath, parseRecord, REPLICA_ID_RE, SchemaError, type EntryKind, type FileRecord } from '@syncline/core';
import type { ChunkLocation, IndexEntry, PathStamp, StatStamp, SyncObject } from './types.js';

/** Plain MessagePack: no record extension, no structured cloning, maps come back as objects. */
const packr = new Packr({ useRecords: false, structuredClone: false, mapsAsObjects: true, moreTypes: false, int64AsType: 'number' });

export function packValue(value: unknown): Buffer {
  return packr.pack(value);
}

export function unpackValue(bytes: Uint8Array, what: string): unknown {
  try {
    return packr.unpack(bytes);
  } catch (err) {
    throw new SchemaError(what, `not valid MessagePack (${err instanceof Error ? err.message : String(err)})`);
  }
}

function asObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SchemaError(what, 'not an object');
  return v as Record<string, unknown>;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A replica ID as used in sync objects: non-empty, at most 64 chars, no NUL (it is a key part). */
export function isPeerId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 64 && !v.includes('\0');
}

export function parseStatStamp(v: unknown, what = 'stat stamp'): StatStamp {
  const o = asObject(v, what);
  if (!isCount(o.size)) throw new SchemaError(what, 'bad field "size"');
  if (!isFiniteNumber(o.mtimeMs)) throw new SchemaError(what, 'bad field "mtimeMs"');
  if (!isFiniteNumber(o.ctimeMs)) throw new SchemaError(what, 'bad field "ctimeMs"');
  // Inode numbers can exceed 2^53 on some file systems, so only finiteness is required.
  if (!isFiniteNumber(o.ino) || o.ino < 0) throw new SchemaError(what, 'bad field "ino"');
  return { size: o.size, mtimeMs: o.mtimeMs, ctimeMs: o.ctimeMs, ino: o.ino };
}

export function parseIndexEntry(v: unknown, what = 'index entry'): IndexEntry {
  const o = asObject(v, what);
  const record = parseRecord(o.record, `${what} record`);
  const stat = o.stat === null || o.stat === undefined ? null : parseStatStamp(o.stat, `${what} stat`);
  return { record, stat };
}

export function parseSyncObject(v: unknown, what = 'sync object'): SyncObject {
  const o = asObject(v, what);
  if (typeof o.id !== 'string' || o.id.length === 0 || o.id.length > 256) throw new SchemaError(what, 'bad field "id"');
  if (!isHlc(o.hlc)) throw new SchemaError(what, 'bad field "hlc"');
  const seqsIn = asObject(o.seqs, `${what} seqs`);
  const seqs: Record<string, number> = {};
  for (const [id, seq] of Object.entries(seqsIn)) {
    if (!isPeerId(id) || !isCount(seq)) throw new SchemaError(what, 'bad field "seqs"');
    seqs[id] = seq;
  }
  if (Object.keys(seqs).length < 2) throw new SchemaError(what, '"seqs" must name both replicas');
  return { id: o.id, hlc: { t: o.hlc.t, c: o.hlc.c }, seqs };
}

export function parseChunkLocation(v: unknown, what = 'chunk location'): ChunkLocation {
  const o = asObject(v, what);
  if (!isValidRelativePath(o.path)) throw new SchemaError(what, 'bad field "path"');
  if (!isCount(o.offset)) throw new SchemaError(what, 'bad field "offset"');
  if (!isCount(o.size) || o.size === 0) throw new SchemaError(what, 'bad field "size"');
  return { path: o.path as string, offset: o.offset, size: o.size };
}

/** The value of a change-log slot: the path whose newest change has that seq. */
export function parseSlotPath(v: unknown, what = 'change-log slot'): string {
  if (!isValidRelativePath(v)) throw new SchemaError(what, 'not a valid path');
  return v as string;
}

export function parseReplicaId(v: unknown, what = 'replica ID'): string {
  if (typeof v !== 'string' || !REPLICA_ID_RE.test(v)) throw new SchemaError(what, 'not a base32 replica ID');
  return v;
}

export function parseCount(v: unknown, what: string): number {
  if (!isCount(v)) throw new SchemaError(what, 'not a non-negative integer');
  return v;
}

/*
 * A path stamp is stored as fixed-size binary, not MessagePack, so that a scan can check
 * tens of thousands of them in a few milliseconds: one flags byte (bits 0–1 kind, bit 2
 * deleted, bit 3 has a stat), then, with a stat, size, mtimeMs, ctimeMs and ino as
 * little-endian float64.
 */
const STAMP_KINDS: readonly EntryKind[] = ['file', 'dir', 'symlink'];
const STAMP_DELETED = 0b100;
const STAMP_HAS_STAT = 0b1000;
const STAMP_WITH_STAT_BYTES = 33;

export function packStamp(record: FileRecord, stat: StatStamp | null): Buffer {
  const flags = STAMP_KINDS.indexOf(record.kind) | (record.deleted ? STAMP_DELETED : 0) | (stat ? STAMP_HAS_STAT : 0);
  const out = Buffer.allocUnsafe(stat ? STAMP_WITH_STAT_BYTES : 1);
  out[0] = flags;
  if (stat) {
    out.writeDoubleLE(stat.size, 1);
    out.writeDoubleLE(stat.mtimeMs, 9);
    out.writeDoubleLE(stat.ctimeMs, 17);
    out.writeDoubleLE(stat.ino, 25);
  }
  return out;
}

/** Decodes and checks a stamp written by packStamp; throws SchemaError. */
export function unpackStamp(path: string, bytes: Uint8Array): PathStamp {
  const what = 'path stamp';
  const flags = bytes[0] ?? 0xff;
  const kind = STAMP_KINDS[flags & 0b11];
  const hasStat = (flags & STAMP_HAS_STAT) !== 0;
  if (kind === undefined || flags > 0b1111 || bytes.length !== (hasStat ? STAMP_WITH_STAT_BYTES : 1)) {
    throw new SchemaError(what, 'bad flags or length');
  }
  let stat: StatStamp | null = null;
  if (hasStat) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    stat = parseStatStamp(
      { size: view.getFloat64(1, true), mtimeMs: view.getFloat64(9, true), ctimeMs: view.getFloat64(17, true), ino: view.getFloat64(25, true) },
      what,
    );
  }
  return { path, kind, deleted: (flags & STAMP_DELETED) !== 0, stat };
}
